"""Text and JSON for ``fleet inspect`` and ``fleet flash`` (pure functions; no key ever)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..times import utc_text
from .flash import FlashResult
from .inspect import Inspection
from .medium import Medium

_LEVELS = ("error", "warning", "info")  # the order findings are counted in
_KINDS = {
    "iso": "an ISO 9660 image",
    "image": "an image file holding an ISO 9660 volume at offset 0",
    "device": "a block device holding an ISO 9660 volume",
    "user-data": "a site user-data file",
}
_MATCH = {
    "current": "what the host's files carry now",
    "superseded": "older than the host's files (its key was replaced since)",
    "unknown": "not something the journal recorded for this host",
    "no-record": "no key recorded for this host",
}


def _medium_line(medium: Medium) -> str:
    text = f"{medium.path}: {_KINDS[medium.kind]}"
    if medium.iso is not None:
        text += f", {medium.iso.size} bytes"
        if medium.iso.check:
            text += f", check {medium.iso.check}"
    return text


def _key_line(inspection: Inspection) -> str:
    presence = {"present": "present (not shown)", "none": "none in this user-data"}
    text = presence.get(inspection.key, "a PLACEHOLDER, not a real key")
    view = inspection.journal
    if view is not None and view.key is not None:
        key = view.key
        text += f"; {key.key_id}, use before {utc_text(key.expires)}: {key.describe()}"
    return text


def _lint_lines(inspection: Inspection) -> list[str]:
    if not inspection.lint:
        return ["  lint:          clean"]
    counts = {level: sum(p.level == level for p in inspection.lint) for level in _LEVELS}
    summary = ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in counts.items() if n)
    lines = [f"  lint:          {summary}"]
    lines += [
        f"    {p.path}:{p.line}:{p.col}: {p.rule} {p.level}: {p.message}" for p in inspection.lint
    ]
    return lines


def inspect_text(inspection: Inspection) -> str:
    site, medium = inspection.site, inspection.medium
    lines = [_medium_line(medium)]
    rows = [("host", site.name or "-")]
    if inspection.listed is not None:
        rows.append(("serial", inspection.listed.serial or "-"))
        rows.append(("site", inspection.listed.site or "-"))
    rows += [
        ("hostname", site.hostname or "-"),
        ("project", site.project or "-"),
        ("Palette tags", ", ".join(f"{k}={v}" for k, v in site.palette_tags) or "-"),
        ("tags", ", ".join(site.tags) or "-"),
        ("key", _key_line(inspection)),
    ]
    if inspection.journal is not None:
        rows.append(("journal", _MATCH[inspection.journal.match]))
    rows.append(("tailnet", inspection.api))
    lines += [f"  {label + ':':<14} {value}" for label, value in rows]
    lines += _lint_lines(inspection)
    if medium.iso is not None:
        iso = medium.iso
        present = [
            n
            for n, has in (("user-data", iso.has_user_data), ("meta-data", iso.has_meta_data))
            if has
        ]
        lines.append(f"  {'ISO:':<14} volume {iso.volume!r}; {', '.join(present) or 'no files'}")
    lines += [f"  {'problem:':<14} {p}" for p in inspection.problems]
    lines += [f"  {'note:':<14} {n}" for n in inspection.notes]
    lines.append("usable" if inspection.usable else "UNUSABLE")
    return "\n".join(lines)


def inspect_json(inspection: Inspection) -> dict[str, Any]:
    site, medium, view = inspection.site, inspection.medium, inspection.journal
    iso = medium.iso
    key: dict[str, Any] = {"in_user_data": inspection.key, "id": None, "expires": None}
    key.update(state=None, journal=view.match if view else None)
    if view is not None and view.key is not None:
        key.update(view.key.as_json())
    return {
        "path": medium.path,
        "medium": medium.kind,
        "usable": inspection.usable,
        "problems": list(inspection.problems),
        "notes": list(inspection.notes),
        "iso": None
        if iso is None
        else {
            "volume": iso.volume,
            "size": iso.size,
            "sha256": iso.sha256,
            "check": iso.check,
            "user_data": iso.has_user_data,
            "meta_data": iso.has_meta_data,
        },
        "host": {
            "name": site.name,
            "host_name": site.host_name,
            "hostname": site.hostname,
            "project": site.project,
            "palette_tags": dict(site.palette_tags),
            "tags": list(site.tags),
            "serial": inspection.listed.serial if inspection.listed else None,
            "site": inspection.listed.site if inspection.listed else None,
        },
        "key": key,
        "api": inspection.api,
        "lint": [
            {
                "path": p.path,
                "line": p.line,
                "col": p.col,
                "rule": p.rule,
                "level": p.level,
                "message": p.message,
            }
            for p in inspection.lint
        ],
    }


def flash_line(result: FlashResult, source: Path) -> str:
    target = result.target
    what = "device" if target.kind == "device" else "image file"
    return (
        f"wrote {source} ({result.size} bytes) to {what} {target.path}; read back: sha256 "
        f"matches (check {result.sha256[:8]})"
    )
