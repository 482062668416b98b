"""Aliases turn the YAML tree into a graph; refuse graphs that no rule could walk safely.

yaml.v3 rejects an anchor that contains itself and "excessive aliasing" (alias bombs). The rules
walk the document recursively, so such documents become a PT002 finding before any rule runs.
The walk here is iterative and counts every node as often as aliases repeat it.
"""

from __future__ import annotations

from typing import Final

from ..yamlio import Map, Node, Seq

MAX_NODES: Final = 200_000  # nodes once aliases are expanded
MAX_DEPTH: Final = 200


def problem(root: Node | None) -> str | None:
    """Why this document cannot be linted as a tree, or None."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)] if root is not None else []
    while stack:
        node, done = stack.pop()
        key, kids = id(node), _children(node)
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            if size[key] > MAX_NODES:
                return "excessive aliasing (aliases expand to too many nodes); yaml.v3 rejects it"
            if depth[key] > MAX_DEPTH:
                return f"YAML nested deeper than {MAX_DEPTH} levels once aliases are expanded"
            continue
        if key in size:
            continue
        if any(id(k) in open_ for k in kids):
            return "an anchor contains an alias to itself; yaml.v3 rejects the document"
        open_.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in size)
    return None


def _children(node: Node) -> list[Node]:
    if isinstance(node, Seq):
        return node.items
    if isinstance(node, Map):
        return [n for pair in node.pairs for n in pair]
    return []
