"""Step conditions that can never match: RE2-invalid regexes, unknown service managers.

``node``, ``only_os``, ``only_os_version`` and ``only_arch`` are Go (RE2) regular expressions:
lookahead, lookbehind, backreferences and atomic groups do not compile, and a step whose
regex does not compile is always skipped. ``only_service_manager`` must be ``systemd`` or
``openrc``.

Source: mudler/yip ``pkg/plugins/if_os.go``, ``if_arch.go``, ``network.go`` (Go ``regexp``)
and ``if_service_manager.go``.

Bad::

    #cloud-config
    stages:
      boot:
        - name: not-on-ubuntu
          if: '[ -f /etc/os-release ]'
          only_os: '^(?!Ubuntu)'
          commands:
            - echo hi

Good::

    #cloud-config
    stages:
      boot:
        - name: not-on-ubuntu
          if: '! grep -q ^NAME=.Ubuntu /etc/os-release'
          commands:
            - echo hi
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Final

from ...yamlio import Scalar
from ..context import Context, Hit
from ..problem import Level

ID = "PT027"
LEVEL: Level = "error"
SUMMARY = "step conditions that never match (RE2-invalid regex, unknown service manager)"

REGEX_FIELDS: Final = ("node", "only_os", "only_os_version", "only_arch")
_NOT_RE2: Final = re.compile(r"\(\?(?:=|!|<=|<!|>)|\\[1-9]|[*+?}]\+")


def check(ctx: Context) -> Iterator[Hit]:
    for step in ctx.steps:
        for field in REGEX_FIELDS:
            node = step.node.get(field)
            if isinstance(node, Scalar) and node.raw:
                problem = re2_problem(node.raw)
                if problem:
                    yield Hit(
                        ctx.at(node), f"{field} {node.raw!r}: {problem}; yip always skips the step"
                    )
        manager = step.node.get("only_service_manager")
        if isinstance(manager, Scalar) and manager.raw.lower() not in ("systemd", "openrc", ""):
            yield Hit(
                ctx.at(manager),
                f"only_service_manager {manager.raw!r} is neither systemd nor openrc; yip always "
                "skips the step",
            )


def re2_problem(pattern: str) -> str | None:
    if _NOT_RE2.search(pattern):
        return "Go regexps (RE2) have no lookaround, backreferences or possessive repeats"
    try:
        with warnings.catch_warnings():  # a user's pattern must not print Python's FutureWarnings
            warnings.simplefilter("ignore")
            re.compile(pattern)
    except re.error as exc:
        return f"not a valid regular expression ({exc.msg})"
    return None
