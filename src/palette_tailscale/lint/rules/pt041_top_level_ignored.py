"""A top-level key that nothing reads: a stage or step key outside ``stages:``, or any key but
``name`` and ``stages`` in a file without a header.

yip decodes a file into ``name`` and ``stages`` (plus, under a ``#cloud-config`` header, the few
cloud-init keys its loader knows), with yaml.v3's non-strict decoding: anything else at the top
level is dropped without a word. A stage written at the top level (``boot.after:`` where
``stages:`` was meant, or an indentation slip that moves it out) never runs, and step keys
(``commands``, ``files``, ``systemctl``...) do nothing outside a step. In user-data the other
top-level keys belong to Kairos (``install``, ``p2p``, ``k3s``...) or Palette (``stylus``)
and are left alone. A file without a header is skipped by Kairos's config collector and read by
yip as plain yip YAML, so there every key but ``name`` and ``stages`` is ignored, cloud-init
keys such as ``runcmd`` included: if the file is user-data, it needs its ``#cloud-config`` line.

Source: mudler/yip ``pkg/schema/schema.go`` (``YipConfig``: ``name``, ``stages``),
``pkg/schema/loader_yip.go`` and ``loader_cloudinit.go``; kairos-io/kairos
``sdk/collector/collector.go`` (``HasValidHeader``).

Bad::

    #cloud-config
    stages:
      initramfs:
        - name: motd
          files:
            - path: /etc/motd
              permissions: 0644
              content: welcome
    boot.after:
      - name: hello
        commands:
          - echo hello

Good::

    #cloud-config
    stages:
      initramfs:
        - name: motd
          files:
            - path: /etc/motd
              permissions: 0644
              content: welcome
      boot.after:
        - name: hello
          commands:
            - echo hello
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ...kairos import STEP_FIELDS, is_known_stage
from ...yamlio import Map, Scalar
from ..context import Context, Hit
from ..kinds import header_line
from ..problem import Level
from ..schema import CLOUD_INIT

ID = "PT041"
LEVEL: Level = "error"
SUMMARY = "top-level key that yip ignores (a stage or step key outside stages:, or no header)"

YIP_KEYS: Final = frozenset({"name", "stages"})
# Step keys that are also cloud-init keys (users, hostname) or a cloud-init module (packages).
STEP_KEYS: Final = frozenset(STEP_FIELDS) - YIP_KEYS - {"users", "hostname", "packages"}


def check(ctx: Context) -> Iterator[Hit]:
    if not isinstance(ctx.root, Map):
        return
    # User-data without a header is PT001's finding; its Kairos keys are not judged here.
    collected = ctx.kind != "system" or header_line(ctx.text) is not None
    for key, _ in ctx.root.items():
        message = _judge(ctx, key, collected)
        if message:
            yield Hit(ctx.at(key), message)


def _judge(ctx: Context, key: Scalar, collected: bool) -> str | None:
    name = key.raw
    if name in YIP_KEYS or (ctx.cloud_init and name in CLOUD_INIT):
        return None
    if is_known_stage(name):
        return (
            f"stage {name!r} is at the top level: yip reads stages only under stages:, "
            "so it never runs"
        )
    if name in STEP_KEYS:
        return (
            f"{name!r} is a step key at the top level: yip ignores it; "
            "put it in a step under stages:"
        )
    if name in CLOUD_INIT:
        return (
            f"{name!r} is a cloud-init key, which yip reads only after a #cloud-config line at the "
            "top of the file: here it is ignored"
        )
    if collected:
        return None  # Kairos or Palette configuration, read by the collector
    return (
        f"top-level key {name!r} is ignored: without a #cloud-config header Kairos skips the file "
        "as configuration and yip reads only name and stages (add the header if this is user-data)"
    )
