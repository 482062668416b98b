"""What kind of Kairos file this is, and which headers Kairos and yip see in it.

Two readers look at a file's header, with different rules (reference/kairos-cloud-config.md §11):

* Kairos's config collector (kairos-io/kairos ``sdk/collector/collector.go``, ``HasValidHeader``)
  takes a file as configuration when one of its first ten lines is exactly ``#cloud-config``,
  ``#kairos-config`` or ``#node-config`` (trailing blanks ignored). That decides whether
  installer and site user-data are read at all.
* yip (mudler/yip ``pkg/schema/cloudinit/config.go``, ``IsCloudConfig``) loads a stage file with
  its cloud-init loader (``runcmd``, ``write_files``, ``users``... understood) only when
  ``#cloud-config`` comes before any line that is not blank or a comment; otherwise it loads plain
  yip YAML, where only ``name`` and ``stages`` mean anything. Files in ``/system/oem``, ``/oem``
  and ``/usr/local/cloud-config`` are run this way (``kairos-agent run-stage``) and need no header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from ..yamlio import Map, Node

HEADERS: Final = ("#cloud-config", "#kairos-config", "#node-config")
YIP_HEADER: Final = "#cloud-config"
HEADER_LINES: Final = 10
CONCRETE: Final = ("installer", "site", "system")
ALL_KINDS: Final = frozenset(CONCRETE)
_STAGES_LINE: Final = re.compile(r"^stages[ \t]*:", re.MULTILINE)


def _first_lines(text: str) -> list[str]:
    # Go's strings.SplitN(text, "\n", 10): the tenth part holds the rest of the file.
    return text.split("\n", HEADER_LINES - 1)


def header_line(text: str) -> int | None:
    """The line of the first header Kairos's collector accepts, or None."""
    for number, line in enumerate(_first_lines(text), start=1):
        if line.startswith("#") and line.rstrip() in HEADERS:
            return number
    return None


def yip_cloud_init(text: str) -> bool:
    """Whether yip loads this file with its cloud-init loader (``IsCloudConfig``)."""
    for line in _first_lines(text):
        header = line.rstrip()
        if header == YIP_HEADER:
            return True
        if header and not header.startswith("#"):
            return False
    return False


@dataclass(frozen=True, slots=True)
class Choice:
    kind: str  # one of CONCRETE
    reason: str  # why, for `lint --verbose`


def choose(asked: str, text: str, root: Node | None, *, skip_copy: bool = False) -> Choice:
    """The concrete kind for ``asked`` (``auto`` guesses from the header and the content)."""
    if asked != "auto":
        return Choice(asked, "--kind")
    line = header_line(text)
    if line is None:
        if _has_stages(text, root):
            return Choice("system", "no header; has stages:, so a file for a stage directory")
        return Choice("installer", "no header and no stages:")
    header = f"header on line {line}"
    if skip_copy and isinstance(root, Map) and root.key_node("install") is None:
        return Choice("site", f"{header}; skip-copy- steps and no install section")
    return Choice("installer", header)


def _has_stages(text: str, root: Node | None) -> bool:
    if isinstance(root, Map):
        return root.key_node("stages") is not None
    return root is None and bool(_STAGES_LINE.search(text))  # unparsed: look at the text
