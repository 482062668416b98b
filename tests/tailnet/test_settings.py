"""Where settings come from: config < environment < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from palette_tailscale.config import load_text
from palette_tailscale.errors import InputError
from palette_tailscale.tailnet import ApiFlags, MissingCredentials, connect, resolve_settings

CONFIG = """\
version: 1
tailscale:
  api:
    tailnet: from-config.example
    base_url: https://config.example
    api_key: {env: CONFIG_KEY}
"""
HEADSCALE_CONFIG = """\
version: 1
tailscale:
  login_server: https://hs.example.com
  api:
    api_key: {file: hs.key}
    headscale_user: edge
"""


def loaded(text: str, tmp_path: Path) -> object:
    return load_text(text, "palette-tailscale.yaml", base_dir=tmp_path)


@pytest.mark.parametrize(
    ("env", "flags", "expected"),
    [
        (
            {"CONFIG_KEY": "k-config"},
            ApiFlags(),
            ("from-config.example", "https://config.example", "k-config"),
        ),
        (
            {
                "CONFIG_KEY": "k-config",
                "TAILSCALE_TAILNET": "env.example",
                "TAILSCALE_API_KEY": "k-env",
            },
            ApiFlags(),
            ("env.example", "https://config.example", "k-env"),
        ),
        (
            {
                "TAILSCALE_TAILNET": "env.example",
                "TAILSCALE_API_KEY": "k-env",
                "TAILSCALE_BASE_URL": "http://e/api/v2/",
            },
            ApiFlags(tailnet="flag.example", base_url="http://flag"),
            ("flag.example", "http://flag", "k-env"),
        ),
        (
            {"TAILSCALE_API_KEY": "k-env"},
            ApiFlags(api_key_file="key.txt"),
            ("from-config.example", "https://config.example", "k-file"),
        ),
    ],
    ids=["config", "env-over-config", "flags-over-env", "key-file-over-env"],
)
def test_precedence(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    flags: ApiFlags,
    expected: tuple[str, str, str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "key.txt").write_text("k-file\n")
    monkeypatch.setenv("CONFIG_KEY", env.get("CONFIG_KEY", ""))
    settings = resolve_settings(loaded(CONFIG, tmp_path), env, flags)  # type: ignore[arg-type]
    assert settings.api_key is not None
    assert (settings.tailnet, settings.base_url, settings.api_key.reveal()) == expected


def test_env_key_means_the_config_secret_is_never_read(tmp_path: Path) -> None:
    settings = resolve_settings(loaded(CONFIG, tmp_path), {"TAILSCALE_API_KEY": "k"}, ApiFlags())  # type: ignore[arg-type]
    assert settings.api_key is not None and settings.api_key.reveal() == "k"


def test_oauth_from_environment() -> None:
    env = {"TAILSCALE_OAUTH_CLIENT_ID": "cid", "TAILSCALE_OAUTH_CLIENT_SECRET": "tskey-client-x"}
    settings = resolve_settings(None, env, ApiFlags())
    assert settings.api_key is None and settings.oauth_client_id == "cid"
    assert settings.oauth_client_secret is not None


def test_login_server_selects_headscale(tmp_path: Path) -> None:
    (tmp_path / "hs.key").write_text("hskey-api-abc-def\n")
    settings = resolve_settings(loaded(HEADSCALE_CONFIG, tmp_path), {}, ApiFlags())  # type: ignore[arg-type]
    assert (settings.provider, settings.base_url, settings.headscale_user) == (
        "headscale",
        "https://hs.example.com",
        "edge",
    )


def test_headscale_from_environment_alone() -> None:
    env = {
        "HEADSCALE_URL": "https://hs.example.com/api/v1",
        "HEADSCALE_API_KEY": "k",
        "HEADSCALE_USER": "3",
    }
    settings = resolve_settings(None, env, ApiFlags())
    assert (settings.provider, settings.base_url, settings.headscale_user) == (
        "headscale",
        "https://hs.example.com",
        "3",
    )


def test_timeout_flag_sets_read_and_caps_connect() -> None:
    settings = resolve_settings(None, {"TAILSCALE_API_KEY": "k"}, ApiFlags(timeout=45))
    assert (settings.timeouts.connect, settings.timeouts.read) == (10.0, 45)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "no Tailscale API credentials: set TAILSCALE_API_KEY"),
        ({"HEADSCALE_URL": "https://hs"}, "no Headscale API key: set HEADSCALE_API_KEY"),
    ],
)
def test_missing_credentials(env: dict[str, str], message: str) -> None:
    with pytest.raises(MissingCredentials, match=message) as info:
        connect(resolve_settings(None, env, ApiFlags()))
    assert info.value.exit_code == 2


def test_missing_key_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"--api-key-file .*nope: no such file"):
        resolve_settings(None, {}, ApiFlags(api_key_file=str(tmp_path / "nope")))
