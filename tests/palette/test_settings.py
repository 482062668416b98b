"""Palette settings: flags over environment over the config; the key is never a plain string."""

from __future__ import annotations

from pathlib import Path

import pytest

from palette_tailscale.config import load_file
from palette_tailscale.errors import InputError
from palette_tailscale.palette import PaletteFlags, resolve_palette_settings

CONFIG = """version: 1
palette:
  endpoint: palette.example.com
  project: Retail
  project_uid: 65f0c0ffee
  api_key: {env: PT_TEST_PALETTE_KEY}
"""


@pytest.fixture
def loaded(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "palette-tailscale.yaml"
    path.write_text(CONFIG)
    return load_file(path)


def test_config_alone(loaded, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PT_TEST_PALETTE_KEY", "from-config-ref")
    settings = resolve_palette_settings(loaded, {})
    assert settings.base_url == "https://palette.example.com"
    assert settings.api_key is not None and settings.api_key.reveal() == "from-config-ref"
    assert settings.api_key.source == "environment variable PT_TEST_PALETTE_KEY"
    assert (settings.project, settings.project_uid) == ("Retail", "65f0c0ffee")


def test_environment_over_config(loaded, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PT_TEST_PALETTE_KEY", "from-config-ref")
    env = {"PALETTE_API_KEY": "from-env", "PALETTE_BASE_URL": "http://127.0.0.1:9/palette/"}
    settings = resolve_palette_settings(loaded, env)
    assert settings.api_key is not None and settings.api_key.reveal() == "from-env"
    assert settings.base_url == "http://127.0.0.1:9/palette"


def test_flags_over_environment(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key_file = tmp_path / "key"
    key_file.write_text("from-file\n")
    env = {"PALETTE_API_KEY": "from-env", "PALETTE_BASE_URL": "http://127.0.0.1:9"}
    flags = PaletteFlags(
        base_url="https://vertex.example.org",
        api_key_file=str(key_file),
        project="Lab",
        timeout=3.0,
    )
    settings = resolve_palette_settings(loaded, env, flags)
    assert settings.base_url == "https://vertex.example.org"
    assert settings.api_key is not None and settings.api_key.reveal() == "from-file"
    # A project flag replaces both config keys: the name given is resolved afresh.
    assert (settings.project, settings.project_uid) == ("Lab", None)
    assert (settings.timeouts.connect, settings.timeouts.read) == (3.0, 3.0)


def test_no_config_means_the_saas_default() -> None:
    settings = resolve_palette_settings(None, {})
    assert settings.base_url == "https://api.spectrocloud.com" and settings.api_key is None


def test_an_unset_key_reference_is_an_error_unless_optional(loaded) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="PT_TEST_PALETTE_KEY is not set") as info:
        resolve_palette_settings(loaded, {})
    assert "palette-tailscale.yaml:6:" in str(info.value)
    assert resolve_palette_settings(loaded, {}, key_optional=True).api_key is None


@pytest.mark.parametrize("url", ["palette.example.com", "ftp://x", "https://"])
def test_a_base_url_must_be_a_url(url: str) -> None:
    with pytest.raises(InputError, match="PALETTE_BASE_URL"):
        resolve_palette_settings(None, {"PALETTE_BASE_URL": url})


def test_a_literal_key_in_the_config_is_warned(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text('version: 1\npalette:\n  api_key: "literal-palette-key-0001"\n')
    loaded = load_file(path)
    assert any("palette.api_key is a literal secret" in str(w) for w in loaded.warnings)
    assert "literal-palette-key-0001" not in repr(loaded.config)
