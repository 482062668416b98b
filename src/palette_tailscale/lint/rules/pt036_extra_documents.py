"""More than one YAML document: Kairos reads only the first.

yaml.v3 decodes the first document of a file and ignores the rest without a word, so
everything after a ``---`` separator is lost. (PyYAML and ruamel refuse such a file.)

Source: gopkg.in/yaml.v3 ``yaml.Unmarshal`` (the first document only).

Bad::

    #cloud-config
    install:
      poweroff: true
    ---
    stages:
      boot: []

Good::

    #cloud-config
    install:
      poweroff: true
    stages:
      boot: []
"""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import Mark
from ..context import Context, Hit
from ..problem import Level

ID = "PT036"
LEVEL: Level = "warning"
SUMMARY = "more than one YAML document (only the first is read)"


def check(ctx: Context) -> Iterator[Hit]:
    if ctx.doc.extra_documents == 0:
        return
    starts = [i for i, line in enumerate(ctx.lines, start=1) if line.startswith("---")]
    first = ctx.root.mark.line if ctx.root is not None else 0
    line = next((n for n in starts if n > first), starts[-1] if starts else 1)
    yield Hit(
        Mark(ctx.path, line, 1),
        f"{ctx.doc.extra_documents} more YAML document(s) after this line are ignored by Kairos",
    )
