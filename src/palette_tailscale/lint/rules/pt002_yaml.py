"""The file must be valid YAML (one document, no duplicate keys, UTF-8).

yip decodes user-data with Go's yaml.v3. When that fails, the whole file is ignored, and a
header-less file in ``/oem`` can stop every file of that directory from running. The finding
sits on the line yaml.v3 names: the start of the block it could not finish; the message also
gives where the parser stopped. Duplicate keys are an error for yaml.v3 (PyYAML silently keeps
the last one). Invalid UTF-8 and NUL bytes are reported here too.

Source: gopkg.in/yaml.v3 (the parser yip and Kairos use); mudler/yip ``pkg/executor/default.go``
(``dirOps``: a file that fails to load stops its directory).

Bad::

    #cloud-config
    stages:
      network:
        - name: join
           commands:
            - echo hi

Good::

    #cloud-config
    stages:
      network:
        - name: join
          commands:
            - echo hi
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, Hit
from ..problem import Level

ID = "PT002"
LEVEL: Level = "error"
SUMMARY = "not valid YAML (position of the parser's error)"
NEEDS_YAML = False


def check(ctx: Context) -> Iterator[Hit]:
    if ctx.parse_error is not None:
        yield ctx.parse_error
