"""Step conditions or fields that older Palette agents ignore.

``only_os``, ``only_os_version``, ``only_arch``, ``only_service_manager``, ``if_files``,
``packages``, ``package_pins``, ``unpack_images`` and ``systemctl.overrides`` arrived in later
yip versions (v1.13 to v1.22). An older agent ignores them silently, and an ignored condition
means the step runs everywhere. Which yip a CanvOS base carries is not published; prefer an
``if:`` shell test. Not checked on system files: the files kairos-init bundles into an image
ship with the yip and agent that implement them.

Source: the first mudler/yip tag whose ``pkg/schema/schema.go`` has each field; the yip
version each kairos-agent release pins in its ``go.mod``.

Bad::

    #cloud-config
    stages:
      boot:
        - name: arm-only
          only_arch: arm64
          commands:
            - echo arm

Good::

    #cloud-config
    stages:
      boot:
        - name: arm-only
          if: '[ "$(uname -m)" = aarch64 ]'
          commands:
            - echo arm
"""

from __future__ import annotations

from collections.abc import Iterator

from ...kairos import VERSION_GATED_FIELDS
from ...yamlio import Map
from ..context import Context, Hit
from ..problem import Level

ID = "PT023"
LEVEL: Level = "warning"
SUMMARY = "step conditions or fields that older Palette agents ignore"
APPLIES_TO = ("installer", "site")  # system files ship with the yip that runs them


def check(ctx: Context) -> Iterator[Hit]:
    for step in ctx.steps:
        for key, _ in step.node.items():
            since = VERSION_GATED_FIELDS.get(key.raw)
            if since:
                yield Hit(ctx.at(key), _message(key.raw, since))
        systemctl = step.node.get("systemctl")
        if isinstance(systemctl, Map):
            key_node = systemctl.key_node("overrides")
            if key_node is not None:
                yield Hit(ctx.at(key_node), _message("systemctl.overrides", "yip v1.13.0"))


def _message(field: str, since: str) -> str:
    effect = (
        "the step then runs everywhere" if field.startswith(("only_", "if_")) else "it does nothing"
    )
    return f"{field} needs {since}; older Palette agents ignore it and {effect}"
