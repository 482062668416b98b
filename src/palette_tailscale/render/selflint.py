"""Run the linter (``palette_tailscale.lint``) on what ``render`` produced.

``render`` and ``lint`` share one YAML layer and one model of Kairos stages (DESIGN.md), so
everything rendered must lint clean. Errors only: warnings and infos are advice for people.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ..errors import Mark


def lint_errors(text: str, name: str, *, kind: str = "installer") -> list[tuple[Mark, str]]:
    """``(position, "PT0NN message")`` of every error-level finding."""
    lint_text = _linter()
    if lint_text is None:
        return []
    try:
        found: list[Any] = lint_text(text, name, kind=kind)
    except ImportError:  # an incomplete install without the lint rules
        return []
    return [
        (Mark(p.path, p.line, p.col), f"{p.rule} {p.message}") for p in found if p.level == "error"
    ]


def _linter() -> Any:
    try:
        module = import_module("palette_tailscale.lint")
    except ImportError:  # the linter is optional at run time for the renderer
        return None
    return getattr(module, "lint_text", None)
