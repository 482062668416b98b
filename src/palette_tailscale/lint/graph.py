"""Aliases turn the YAML tree into a graph; refuse graphs that no rule could walk safely.

yaml.v3 rejects an anchor that contains itself and "excessive aliasing" (alias bombs). The rules
walk the document recursively, so such documents become a PT002 finding before any rule runs.
The check itself lives in :mod:`palette_tailscale.yamlio`, shared with the config loader.
"""

from __future__ import annotations

from typing import Final

from ..yamlio import MAX_DEPTH, MAX_EXPANDED, alias_problem

MAX_NODES: Final = MAX_EXPANDED

__all__ = ["MAX_DEPTH", "MAX_NODES", "problem"]

problem = alias_problem
