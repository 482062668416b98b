"""Unknown ``files[].encoding``: yip writes the content verbatim.

yip decodes ``b64``, ``base64``, ``gz``, ``gzip`` and the combinations ``gz+base64``,
``gzip+base64``, ``gz+b64``, ``gzip+b64``. Any other value (``base-64``, ``gzip+base-64``,
``text``) is ignored and the still-encoded text is written to the file.

Source: mudler/yip ``pkg/plugins/file_decoder.go`` (``newDecoder``).

Bad::

    #cloud-config
    stages:
      boot:
        - name: blob
          files:
            - path: /etc/app.conf
              permissions: 0644
              encoding: base-64
              content: aGVsbG8K

Good::

    #cloud-config
    stages:
      boot:
        - name: blob
          files:
            - path: /etc/app.conf
              permissions: 0644
              encoding: base64
              content: aGVsbG8K
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ...yamlio import Scalar
from ..context import Context, Hit
from ..problem import Level
from ._common import items

ID = "PT028"
LEVEL: Level = "warning"
SUMMARY = "unknown files[].encoding (content written verbatim)"

ENCODINGS: Final = frozenset(
    {"b64", "base64", "gz", "gzip", "gz+base64", "gzip+base64", "gz+b64", "gzip+b64"}
)


def check(ctx: Context) -> Iterator[Hit]:
    for step in ctx.steps:
        for item in items(step, "files"):
            node = item.get("encoding")
            if isinstance(node, Scalar) and node.raw and node.raw not in ENCODINGS:
                yield Hit(
                    ctx.at(node),
                    f"encoding {node.raw!r} is unknown to yip, which writes the content as is; "
                    f"use one of {', '.join(sorted(ENCODINGS))}",
                )
