"""The shape yip decodes (mudler/yip schema.go at 62df27ab), checked with yaml.v3's rules.

One walk of the document yields every :class:`Issue`; PT003 (unknown keys), PT004 (types),
PT026 (bool spellings) and PT029 (``if_files`` keys) each report their kind of issue.
Spec forms: ``"scalar"``, ``"int"``, ``"perm"`` (an int that PT005 judges), ``"bool"``,
``("list", item)``, ``("dict", value)`` (free keys), ``("map", {key: spec})`` (known keys),
``("loose", {key: spec})`` (known keys checked, others allowed).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from ..kairos import STEP_FIELDS
from ..yamlio import Map, Node, Scalar, Seq

S, INT, PERM, BOOL = "scalar", "int", "perm", "bool"
STRS: Final = ("list", S)
STRMAP: Final = ("dict", S)
V3_BOOL_WORDS: Final = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
# yaml.v3 also accepts these into a Go bool, but the installer's re-marshal quotes them
# (Kairos sdk/collector writes the merged config back with yaml.v3).
V11_BOOL_WORDS: Final = frozenset(
    w
    for base in ("y", "yes", "on", "n", "no", "off")
    for w in (base, base.capitalize(), base.upper())
)


def _map(**fields: Any) -> tuple[str, dict[str, Any]]:
    return ("map", fields)


_OWNED = {"permissions": PERM, "owner": INT, "group": INT}
FILE: Final = _map(path=S, content=S, encoding=S, ownerstring=S, **_OWNED)
# fmt: off
USER: Final = _map(
    name=S, passwd=S, ssh_authorized_keys=STRS, gecos=S, homedir=S, no_create_home=BOOL,
    primary_group=S, groups=STRS, no_user_group=BOOL, system=BOOL, no_log_init=BOOL, shell=S,
    lock_passwd=BOOL, uid=S,
)
STEP_SPEC: Final[dict[str, Any]] = {
    "after": ("list", _map(name=S)),
    "if_files": _map(any=STRS, all=STRS, none=STRS),
    "files": ("list", FILE),
    "downloads": ("list", _map(path=S, url=S, timeout=INT, ownerstring=S, **_OWNED)),
    "directories": ("list", _map(path=S, **_OWNED)),
    "git": _map(
        url=S, path=S, branch=S, branch_only=BOOL,
        auth=_map(username=S, password=S, private_key=S, insecure=BOOL, public_key=S),
    ),
    "commands": STRS,
    "ensure_entities": ("list", _map(path=S, entity=S)),
    "delete_entities": ("list", _map(path=S, entity=S)),
    "systemctl": _map(
        enable=STRS, disable=STRS, mask=STRS, start=STRS,
        overrides=("list", _map(service=S, content=S, name=S)),
    ),
    "environment": STRMAP, "sysctl": STRMAP, "timesyncd": STRMAP, "systemd_firstboot": STRMAP,
    "package_pins": STRMAP, "modules": STRS, "unpack_images": ("list", _map(
        source=S, target=S, platform=S)),
    "dns": _map(nameservers=STRS, search=STRS, options=STRS, path=S),
    "users": ("dict", USER),
    "authorized_keys": ("dict", STRS),
    "datasource": _map(providers=STRS, path=S, userdata_name=S),
    "layout": _map(
        device=_map(path=S, label=S, init_disk=BOOL, disk_name=S),
        expand_partition=_map(size=INT),
        add_partitions=("list", _map(fsLabel=S, size=INT, pLabel=S, filesystem=S, bootable=BOOL)),
    ),
    "packages": _map(install=STRS, remove=STRS, refresh=BOOL, upgrade=BOOL),
}
STEP: Final = ("map", {key: STEP_SPEC.get(key, S) for key in STEP_FIELDS})
INSTALL_BOOLS: Final = ("auto", "reboot", "poweroff", "no-format", "force", "nousers")
# The cloud-init keys yip's cloud-init loader decodes (mudler/yip pkg/schema/cloudinit/config.go).
CLOUD_FILE: Final[tuple[str, dict[str, Any]]] = ("loose", {
    "path": S, "content": S, "owner": S, "encoding": S, "permissions": S,
})
CLOUD_USER: Final[tuple[str, dict[str, Any]]] = ("loose", {
    "name": S, "passwd": S, "ssh_authorized_keys": STRS, "coreos_ssh_import_github": S,
    "coreos_ssh_import_github_users": STRS, "coreos_ssh_import_url": S, "gecos": S, "homedir": S,
    "no_create_home": BOOL, "primary_group": S, "groups": STRS, "no_user_group": BOOL,
    "system": BOOL, "no_log_init": BOOL, "shell": S, "lock_passwd": BOOL, "uid": S,
})
CLOUD_INIT: Final[dict[str, Any]] = {
    "ssh_authorized_keys": STRS,
    "write_files": ("list", CLOUD_FILE),
    "hostname": S,
    "users": ("list", CLOUD_USER),
    "runcmd": STRS,
    "growpart": ("loose", {"mode": S, "devices": STRS}),
    "milpa_files": ("list", CLOUD_FILE),
}
YIP_TOP: Final[dict[str, Any]] = {"name": S, "stages": ("dict", ("list", STEP))}
INSTALL: Final = ("loose", {"bind_mounts": STRS, "ephemeral_mounts": STRS}
                  | dict.fromkeys(INSTALL_BOOLS, BOOL))
# A file read with the cloud-init loader (and Kairos's install section); a plain yip file.
TOP: Final = ("loose", YIP_TOP | CLOUD_INIT | {"install": INSTALL})
PLAIN_TOP: Final = ("loose", YIP_TOP)
# fmt: on


@dataclass(frozen=True, slots=True)
class Issue:
    kind: str  # "unknown", "type", "bool", "if_files"
    node: Node
    path: tuple[str, ...]
    detail: str
    known: tuple[str, ...] = ()


def check(root: Node | None, *, cloud_init: bool = True) -> Iterator[Issue]:
    """Shape problems; ``cloud_init``: whether yip reads the file's cloud-init keys."""
    if root is None:
        return
    if not isinstance(root, Map):
        yield Issue("type", root, (), f"is a {_kind(root)}, not a mapping")
        return
    yield from _Walk().check(root, TOP if cloud_init else PLAIN_TOP, ())


class _Walk:
    """One walk; a collection reached again through an alias or a merge key is checked once,
    where it is first met (usually where it is written)."""

    def __init__(self) -> None:
        self.seen: set[tuple[int, int]] = set()

    def check(self, node: Node, spec: Any, path: tuple[str, ...]) -> Iterator[Issue]:
        visit = (id(node), id(spec))
        if visit in self.seen:
            return
        self.seen.add(visit)
        if isinstance(spec, str):
            yield from _scalar(node, spec, path)
            return
        form, inner = spec
        if isinstance(node, Scalar) and node.style is None and node.value is None:
            return  # null decodes to the zero value
        want = {"list": Seq, "dict": Map, "map": Map, "loose": Map}[form]
        if not isinstance(node, want):
            yield Issue("type", node, path, f"is a {_kind(node)}, yip expects a {_WANT[form]}")
        elif isinstance(node, Seq):
            for i, item in enumerate(node.items):
                yield from self.check(item, inner, (*path, str(i)))
        elif isinstance(node, Map):
            yield from self._pairs(node, form, inner, path)

    def _pairs(self, node: Map, form: str, inner: Any, path: tuple[str, ...]) -> Iterator[Issue]:
        for key, value in node.items():
            sub = (*path, key.raw)
            if form == "dict":
                yield from self.check(value, inner, sub)
            elif key.raw in inner:
                yield from self.check(value, inner[key.raw], sub)
            elif form == "map" and (id(key), 0) not in self.seen:
                self.seen.add((id(key), 0))  # a merged key: reported once
                kind = "if_files" if path and path[-1] == "if_files" else "unknown"
                yield Issue(kind, key, sub, key.raw, tuple(inner))


def _scalar(node: Node, spec: str, path: tuple[str, ...]) -> Iterator[Issue]:
    if not isinstance(node, Scalar):
        yield Issue("type", node, path, f"is a {_kind(node)}, yip expects a single value")
    elif spec == INT and node.as_int() is None and not (node.plain and node.value is None):
        yield Issue("type", node, path, f"is {_shown(node)}, not an integer")
    elif spec == BOOL:
        yield from _bool(node, path)


def _bool(node: Scalar, path: tuple[str, ...]) -> Iterator[Issue]:
    if node.raw in V11_BOOL_WORDS:
        yield Issue("bool", node, path, node.raw)
    elif not (node.plain and (node.raw in V3_BOOL_WORDS or node.value is None)):
        yield Issue("type", node, path, f"is {_shown(node)}, not true or false")


_WANT: Final = {"list": "list", "dict": "mapping", "map": "mapping", "loose": "mapping"}


def _kind(node: Node) -> str:
    if isinstance(node, Seq):
        return "list"
    if isinstance(node, Map):
        return "mapping"
    return "string" if not node.plain else "scalar"


def _shown(node: Scalar) -> str:
    text = node.raw if len(node.raw) <= 40 else node.raw[:37] + "..."
    return f"{node.style}{text}{node.style}" if node.style in ("'", '"') else repr(text)
