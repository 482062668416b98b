"""Reading a host's site user-data back: whose it is, and whether it carries a key.

The document is read by its structure, not by line positions, so a step that moves to another
stage or gains fields is still found:

* the host: ``stylus.site`` (``name``, ``hostName``, ``projectName``, ``tags``);
* the key: the content of a file written by the ``skip-copy-`` key step, or of any step's file
  at the enrollment script's key path;
* the Tailscale hostname and tags: ``PT_HOSTNAME`` and ``PT_TAGS`` (else ``--advertise-tags``
  in ``PT_UP_ARGS``, as older site data has it) in the ``host.env`` file (else in the
  enrollment settings file).

The key is only ever held as a :class:`~palette_tailscale.secrets.Secret`.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from .. import device, yamlio
from ..secrets import Secret
from ..yamlio import Map, Node, Scalar, Seq


@dataclass(frozen=True, slots=True)
class SiteData:
    """What a site user-data says about its host; ``key`` is None when it carries none."""

    name: str | None
    host_name: str | None  # stylus.site.hostName
    project: str | None
    palette_tags: tuple[tuple[str, str], ...]
    hostname: str | None  # the Tailscale hostname (PT_HOSTNAME)
    tags: tuple[str, ...]  # the Tailscale tags the host advertises
    key: Secret | None


def read_site_data(text: str, path: str) -> SiteData:
    """Parse ``text``; raises :class:`~palette_tailscale.errors.YamlError` when it is not YAML."""
    root = yamlio.load(text, path).root
    site = _get(root, "stylus", "site")
    files = dict(_files(root))
    env = _env(files.get(device.CONFIG_PATH, "")) | _env(files.get(device.HOST_CONFIG_PATH, ""))
    key = _key(root) or files.get(device.AUTH_KEY_PATH)
    return SiteData(
        name=_text(_get(site, "name")),
        host_name=_text(_get(site, "hostName")),
        project=_text(_get(site, "projectName")),
        palette_tags=_pairs(_get(site, "tags")),
        hostname=env.get("PT_HOSTNAME") or None,
        tags=_tags(env),
        key=Secret(key.strip(), "site user-data") if key and key.strip() else None,
    )


def _get(node: Node | None, *keys: str) -> Node | None:
    for key in keys:
        if not isinstance(node, Map):
            return None
        node = node.get(key)
    return node


def _text(node: Node | None) -> str | None:
    return node.as_str() if isinstance(node, Scalar) and node.raw else None


def _pairs(node: Node | None) -> tuple[tuple[str, str], ...]:
    if not isinstance(node, Map):
        return ()
    return tuple(sorted((k.raw, v.as_str()) for k, v in node.items() if isinstance(v, Scalar)))


def _steps(root: Node | None) -> Iterator[Map]:
    stages = _get(root, "stages")
    if not isinstance(stages, Map):
        return
    for _, steps in stages.items():
        if isinstance(steps, Seq):
            yield from (step for step in steps.items if isinstance(step, Map))


def _step_files(step: Map) -> Iterator[tuple[str, str]]:
    files = step.get("files")
    if not isinstance(files, Seq):
        return
    for entry in files.items:
        path, content = _text(_get(entry, "path")), _get(entry, "content")
        if path and isinstance(content, Scalar):
            yield path, content.as_str()


def _files(root: Node | None) -> Iterator[tuple[str, str]]:
    for step in _steps(root):
        yield from _step_files(step)


def _key(root: Node | None) -> str | None:
    for step in _steps(root):
        if _text(step.get("name")) == device.KEY_STEP_NAME:
            for _, content in _step_files(step):
                return content
    return None


def _env(text: str) -> dict[str, str]:
    """``NAME=value`` lines of a shell-sourced settings file (quotes removed)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, raw = line.partition("=")
        if not sep or not name.strip().isidentifier():
            continue
        try:
            words = shlex.split(raw, comments=True)
        except ValueError:
            continue
        values[name.strip()] = " ".join(words)
    return values


def _tags(env: dict[str, str]) -> tuple[str, ...]:
    if "PT_TAGS" in env:
        return tuple(t for t in env["PT_TAGS"].split(",") if t)
    for arg in env.get("PT_UP_ARGS", "").split():
        if arg.startswith("--advertise-tags="):
            return tuple(t for t in arg.split("=", 1)[1].split(",") if t)
    return ()
