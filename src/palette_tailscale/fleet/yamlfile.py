"""Hosts from a YAML inventory: a list of hosts, or a mapping with a ``hosts:`` list.

Each host is written as in the config's inline ``hosts:`` (``name``, ``serial``, ``site``,
``tags``, ``palette: {project, tags}``); ``uuid`` is accepted for ``serial``. Positions are
``file:line:col`` from :mod:`palette_tailscale.yamlio`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import yamlio
from ..errors import InputError, Mark, Problems

MarkOf = Callable[[tuple[Any, ...]], Mark]


def read_yaml_hosts(
    text: str, path: str, problems: Problems | None = None
) -> list[tuple[dict[str, Any], MarkOf]]:
    """Each host as ``(host data, mark_of)``; raises :class:`InputError` with a position.

    Bad hosts go to ``problems`` when given (the caller reports them with its own findings).
    """
    doc = yamlio.load(text, path)
    items = _host_list(doc.root, path)
    found = Problems() if problems is None else problems  # every bad host, not the first
    hosts = []
    for item in items.items:
        with found.gather():
            hosts.append(_host(item, path))
    if problems is None:
        found.check()
    return hosts


def _host_list(root: yamlio.Node | None, path: str) -> yamlio.Seq:
    if isinstance(root, yamlio.Map) and isinstance(root.get("hosts"), yamlio.Seq):
        hosts = root.get("hosts")
        assert isinstance(hosts, yamlio.Seq)
        return hosts
    if isinstance(root, yamlio.Seq):
        return root
    where = root.mark if root is not None else Mark(path, 1, 1)
    raise InputError("a YAML inventory is a list of hosts (or `hosts:` with one)", mark=where)


def _host(node: yamlio.Node, path: str) -> tuple[dict[str, Any], MarkOf]:
    if not isinstance(node, yamlio.Map):
        raise InputError("each host is a mapping with at least `name:`", mark=node.mark)
    positions = {sub: n.mark for sub, n in yamlio.walk(node)}
    for sub, sub_node in yamlio.walk(node):
        if isinstance(sub_node, yamlio.Map):
            for key_node, _ in sub_node.items():
                key_path = (*sub, key_node.raw, "<key>")
                positions[key_path] = key_node.mark
    data = yamlio.to_python(node)
    for name in ("serial", "uuid", "site", "name"):
        value = node.get(name)
        if isinstance(value, yamlio.Scalar) and value.value is not None:
            # Identifiers are text as written: a serial 0012 is not the number 10.
            data[name] = value.raw
    if "uuid" in data:
        if "serial" in data:
            raise InputError("give serial or uuid, not both", mark=_key_mark(node, "uuid"))
        data["serial"] = data.pop("uuid")
        positions[("serial",)] = positions[("uuid",)]

    def mark_of(field_path: tuple[Any, ...]) -> Mark:
        probe = field_path
        while probe:
            if probe in positions:
                return positions[probe]
            probe = probe[:-1]
        return node.mark

    return data, mark_of


def _key_mark(node: yamlio.Map, key: str) -> Mark:
    key_node = node.key_node(key)
    return key_node.mark if key_node is not None else node.mark
