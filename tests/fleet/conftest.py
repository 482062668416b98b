"""Helpers for the fleet tests: configs written to a temporary directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from palette_tailscale.config import LoadedConfig, load_file

BASE_CONFIG = """\
version: 1
palette:
  endpoint: api.spectrocloud.com
  project: Default
tailscale:
  auth_key: {env: PT_TEST_FLEET_KEY}
  tags: [tag:edge]
  hostname: "@HOSTNAME@"
  key:
    expiry: 7d
"""

MakeConfig = Callable[..., LoadedConfig]


@pytest.fixture
def make_config(tmp_path: Path) -> MakeConfig:
    """Write a config (base + ``extra`` YAML, + inventory files) and load it."""

    def make(
        extra: str = "", files: dict[str, str] | None = None, hostname: str = "{name}"
    ) -> LoadedConfig:
        for name, text in (files or {}).items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        path = tmp_path / "palette-tailscale.yaml"
        path.write_text(BASE_CONFIG.replace("@HOSTNAME@", hostname) + extra, encoding="utf-8")
        return load_file(path)

    return make
