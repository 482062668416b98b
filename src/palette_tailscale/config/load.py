"""Loading the config file with a position for every node.

Errors say ``file:line:col`` and what is wanted. Unknown keys are warnings (errors with
``strict``) with a did-you-mean; a literal secret is a warning.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import yamlio
from ..errors import InputError, Mark, Problems, shown
from ..inputfile import read_limited
from ..secrets import Secret
from .models import Config, unknown_keys
from .secretref import SecretSource

_SECRET_RE = re.compile(r"^[\x21-\x7e]+$")
DEFAULT_PATH = "palette-tailscale.yaml"
EXAMPLE_NAME = "<example>"
# A config is settings and at most a modest inline host list; large fleets use an inventory
# file. The cap keeps a stray multi-gigabyte file (or /dev/zero) from being read at all.
MAX_CONFIG_BYTES = 4 * 1024 * 1024
MAX_INVENTORY_BYTES = 64 * 1024 * 1024  # hosts: {from: FILE}: some 500,000 hosts of CSV


@dataclass(frozen=True, slots=True)
class Diagnostic:
    mark: Mark
    message: str

    def __str__(self) -> str:
        return f"{self.mark}: {self.message}"


@dataclass(slots=True)
class LoadedConfig:
    """A validated config plus where each value came from."""

    config: Config
    path: str
    base_dir: Path
    positions: dict[tuple[Any, ...], Mark]
    warnings: list[Diagnostic] = field(default_factory=list)
    is_example: bool = False

    def mark_of(self, path: tuple[Any, ...]) -> Mark:
        """The position of ``path`` or of its nearest written ancestor."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), Mark(self.path, 1, 1))

    def secret(
        self, source: SecretSource, where: tuple[Any, ...], *, placeholder: str | None = None
    ) -> Secret:
        """Resolve a secret reference; with ``placeholder``, an unset one yields the placeholder.

        A value with a space, a line break or a character outside printable ASCII is refused:
        no key or token has one, and it would end up in a header or a generated file.
        """
        mark = self.mark_of(where)
        try:
            secret = source.resolve(self.base_dir, mark=mark)
        except InputError:
            if placeholder is None:
                raise
            return Secret(placeholder, f"placeholder for {source.describe()}")
        if not _SECRET_RE.fullmatch(secret.reveal()):
            raise InputError(
                f"{'.'.join(map(str, where))}: {source.describe()} holds a space, a line break or "
                "a character that is not printable ASCII; no key or token does",
                mark=mark,
            )
        return secret


def example_text() -> str:
    """The embedded example config (also the starter written by ``init``)."""
    return files(__package__).joinpath("example.yaml").read_text(encoding="utf-8")


def load_example(*, strict: bool = False) -> LoadedConfig:
    loaded = load_text(example_text(), EXAMPLE_NAME, base_dir=Path.cwd(), strict=strict)
    loaded.is_example = True
    return loaded


def load_file(path: str | Path, *, strict: bool = False) -> LoadedConfig:
    path = Path(path)
    hint = "run `palette-tailscale init` to write one" if path.name == DEFAULT_PATH else None
    raw = read_limited(
        path,
        limit=MAX_CONFIG_BYTES,
        label=str(path),
        missing_hint=hint,
        too_large_hint="list a large fleet in an inventory file: hosts: {from: hosts.csv}",
    )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", mark=_offset_mark(str(path), raw, exc.start)) from None
    return load_text(text, str(path), base_dir=path.resolve().parent, strict=strict)


def _offset_mark(path: str, raw: bytes, offset: int) -> Mark:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    return Mark(path, line, offset - (before.rfind(b"\n") + 1) + 1)


def load_text(text: str, path: str, *, base_dir: Path, strict: bool = False) -> LoadedConfig:
    doc = yamlio.load(text.lstrip("\ufeff"), path)
    root = doc.root
    if not isinstance(root, yamlio.Map):
        where = root.mark if root is not None else Mark(path, 1, 1)
        raise InputError("the config is a YAML mapping starting with `version: 1`", mark=where)
    _check_version(root, path)
    positions = _positions(root)
    data = yamlio.to_python(root)
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, positions, path) from None
    loaded = LoadedConfig(config, path, base_dir, positions)
    _collect_warnings(loaded, strict)
    return loaded


def _check_version(root: yamlio.Map, path: str) -> None:
    version = root.get("version")
    if version is None:
        raise InputError(
            "missing `version: 1` at the top of the config",
            mark=root.mark,
            hint="this tool reads config version 1",
        )
    value = version.value if isinstance(version, yamlio.Scalar) else None
    if isinstance(version, yamlio.Scalar) and not version.plain and version.raw.strip() == "1":
        raise InputError(
            f'version is the string "{version.raw}"; write the number 1 without quotes '
            "(version: 1)",
            mark=version.mark,
        )
    if value != 1 or isinstance(value, bool):  # true == 1 in Python, not in the config
        raw = version.raw if isinstance(version, yamlio.Scalar) else "a collection"
        quoted = raw if len(raw) <= 40 else f"{raw[:30]}… ({len(raw)} characters)"
        raise InputError(
            f"unknown config version {quoted}; this palette-tailscale reads version 1",
            mark=version.mark,
        )


def _positions(root: yamlio.Node) -> dict[tuple[Any, ...], Mark]:
    positions: dict[tuple[Any, ...], Mark] = {}
    for path, node in yamlio.walk(root):
        positions[path] = node.mark
    for path, node in yamlio.walk(root):
        if isinstance(node, yamlio.Map):
            for key, _ in node.items():
                key_path = (*path, key.raw, "<key>")
                positions[key_path] = key.mark
    return positions


def _validation_error(
    exc: ValidationError, positions: dict[tuple[Any, ...], Mark], path: str
) -> InputError:
    """Every problem pydantic found, each at its position (one union branch's worth)."""
    problems = Problems()
    for error in _chosen(exc.errors(include_url=False)):
        split = _union_split(tuple(error["loc"]))
        loc = (*split[0], *split[2]) if split else tuple(error["loc"])
        mark = Mark(path, 1, 1)
        probe = loc
        while probe:
            if probe in positions:
                mark = positions[probe]
                break
            probe = probe[:-1]
        dotted = ".".join(shown(str(p)) for p in loc) or "config"
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "this key is required"
        problems.add(InputError(f"{dotted}: {message}", mark=mark))
    try:
        problems.check()
    except InputError as found:
        return found
    return InputError("the config is not valid", mark=Mark(path, 1, 1))  # pragma: no cover


def _chosen(errors: list[Any]) -> list[Any]:
    """The errors worth showing where a value may take one of several shapes (a union).

    pydantic reports each shape's failure; a shape the value is not even close to (``hosts:``
    is a list, so ``{from: …}`` fails as "not a dictionary") is noise when another shape got
    further. When no shape got further, the first error speaks for all.
    """
    branches: dict[tuple[Any, ...], dict[Any, bool]] = {}
    for error in errors:
        split = _union_split(error["loc"])
        if split is None:
            continue
        prefix, branch, rest = split
        wrong_shape = not rest and str(error["type"]).endswith("_type")
        seen = branches.setdefault(prefix, {})
        seen[branch] = seen.get(branch, False) or not wrong_shape
    kept: list[Any] = []
    shown_once: set[tuple[Any, ...]] = set()
    for error in errors:
        split = _union_split(error["loc"])
        if split is None:
            kept.append(error)
            continue
        prefix, branch, _ = split
        if branches[prefix][branch]:
            kept.append(error)  # this shape got further than its type
        elif not any(branches[prefix].values()) and prefix not in shown_once:
            shown_once.add(prefix)
            kept.append(error)
    return kept


# pydantic names the members of a union in error locations; the config's one union is
# `hosts:` (an inline list, or {from: PATH}). Only there is such a name not a config key: a key
# the user wrote (a Palette tag, an .arg variable) may hold brackets too.
_UNION_BRANCHES = {("hosts",): frozenset({"list[Host]", "HostsFrom"})}


def _union_split(loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any, tuple[Any, ...]] | None:
    """``(path to the union, branch, path inside the branch)``, or None outside a union."""
    for prefix, branches in _UNION_BRANCHES.items():
        n = len(prefix)
        if loc[:n] == prefix and len(loc) > n and loc[n] in branches:
            return prefix, loc[n], tuple(loc[n + 1 :])
    return None


def _collect_warnings(loaded: LoadedConfig, strict: bool) -> None:
    problems = Problems()
    for key_path, known in unknown_keys(loaded.config):
        key = str(key_path[-1])
        mark = loaded.positions.get((*key_path, "<key>"), loaded.mark_of(key_path))
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
        message = f"unknown key {'.'.join(map(str, key_path))!r} is ignored; {hint}"
        if strict:
            problems.add(InputError(message, mark=mark))
        loaded.warnings.append(Diagnostic(mark, message))
    problems.check()
    for where, source in _secret_sources(loaded.config):
        if source.kind == "literal":
            loaded.warnings.append(
                Diagnostic(
                    loaded.mark_of(where),
                    f"{'.'.join(where)} is a literal secret in the config file; "
                    "prefer {env: NAME} or {file: PATH}",
                )
            )
    loaded.warnings.sort(key=lambda d: (d.mark.line, d.mark.col))


def _secret_sources(config: Config) -> list[tuple[tuple[str, ...], SecretSource]]:
    candidates: list[tuple[tuple[str, ...], SecretSource | None]] = [
        (("palette", "registration_token"), config.palette.registration_token),
        (("palette", "api_key"), config.palette.api_key),
        (("tailscale", "auth_key"), config.tailscale.auth_key),
        (("tailscale", "api", "api_key"), config.tailscale.api.api_key),
        (("tailscale", "api", "oauth_client_secret"), config.tailscale.api.oauth_client_secret),
    ]
    return [(where, source) for where, source in candidates if source is not None]
