"""The starter config ``init`` writes: the built-in example, tailored by its options.

``--project``, ``--headscale`` and ``--hosts`` replace the example's project, uncomment its
Headscale line, and point ``hosts:`` at an inventory file. The result must load cleanly; a bad
option value is the user's error and names the option.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Final

from ..errors import GeneratedInvalidError, InputError
from .load import example_text, load_text
from .models import LOGIN_SERVER_PATTERN, check_text, check_url

PROJECT_LINE: Final = "  project: Default\n"
HEADSCALE_LINE: Final = "  # login_server: https://headscale.example.com   # set for Headscale\n"
HOSTS_START: Final = "\nhosts:\n"
_PLAIN_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")


def starter_text(
    *, project: str | None = None, headscale: str | None = None, hosts: str | None = None
) -> str:
    """The starter config; :class:`InputError` names the option whose value cannot be used."""
    text = example_text()
    if project is not None:
        _check("--project", project, check_text)
        text = text.replace(PROJECT_LINE, f"  project: {_scalar('--project', project)}\n")
    if headscale is not None:
        if not re.fullmatch(LOGIN_SERVER_PATTERN, headscale):
            raise InputError(f"--headscale: {headscale!r} is not a URL like https://hs.example.com")
        _check("--headscale", headscale, check_url)
        line = f"  login_server: {headscale}   # Headscale; its API: HEADSCALE_API_KEY\n"
        text = text.replace(HEADSCALE_LINE, line)
    if hosts is not None:
        text = text[: text.index(HOSTS_START)] + _hosts_from(hosts)
    try:
        load_text(text, "<starter>", base_dir=Path.cwd())
    except InputError as exc:  # the options were checked: a failure here is a bug
        raise GeneratedInvalidError(f"the starter config does not load: {exc}") from exc
    return text


def _check(option: str, value: str, check: Callable[[str], str]) -> None:
    """The config's own check of a value, before it goes into the starter: an option's error."""
    try:
        check(value)
    except ValueError as exc:
        raise InputError(f"{option}: {exc}") from None


def _scalar(option: str, value: str) -> str:
    if not value.strip() or "\n" in value:
        raise InputError(f"{option}: give a name on one line")
    return value if _PLAIN_RE.fullmatch(value) and value == value.strip() else json.dumps(value)


def _hosts_from(path: str) -> str:
    _check("--hosts", path, lambda value: check_text(value, max_len=1024))
    if not path.lower().endswith((".csv", ".yaml", ".yml")):
        raise InputError(f"--hosts: {path!r}: name a .csv, .yaml or .yml inventory")
    return (
        "\n# The inventory: a CSV with a header row (name, and optionally serial, site, tags,\n"
        "# project, palette_tag.KEY: one column per Palette tag), or a YAML list of hosts\n"
        "# written as below `hosts:` in `palette-tailscale init` without --hosts.\n"
        f"hosts: {{from: {_scalar('--hosts', path)}}}\n"
    )
