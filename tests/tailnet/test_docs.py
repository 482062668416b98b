"""docs/keys.md and docs/devices.md describe every command and option that exists."""

from __future__ import annotations

import click
import pytest

from palette_tailscale.cli.devices_cmd import devices
from palette_tailscale.cli.keys_cmd import keys
from tests.conftest import REPO


@pytest.mark.parametrize(("group", "doc"), [(keys, "keys.md"), (devices, "devices.md")])
def test_every_option_is_documented(group: click.Group, doc: str) -> None:
    text = (REPO / "docs" / doc).read_text()
    common = (REPO / "docs" / "keys.md").read_text()
    for name, command in group.commands.items():
        assert f"`{group.name} {name}`" in text
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in text or opt in common for opt in param.opts), (name, param.opts)
