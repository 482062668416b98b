"""render_all: secrets, placeholders, modes, and secret errors with the reference's position."""

from __future__ import annotations

from pathlib import Path

import pytest

from palette_tailscale.config import load_example
from palette_tailscale.errors import InputError
from palette_tailscale.render.plan import PLACEHOLDER_TOKEN, render_all

from .helpers import AUTH_KEY, TOKEN, config, load

UNSET_TOKEN = (
    "version: 1\npalette:\n  registration_token: {env: PT_UNSET_VAR}\n"
    "tailscale:\n  auth_key_delivery: none\n"
)


def test_example_uses_placeholders_and_says_so() -> None:
    rendered = render_all(load_example())
    assert PLACEHOLDER_TOKEN.encode() in rendered.files["user-data"]
    assert rendered.placeholders == (
        "palette.registration_token: environment variable PALETTE_REGISTRATION_TOKEN gave no "
        f"value, so user-data carries {PLACEHOLDER_TOKEN}",
    )
    assert rendered.modes == {".arg": 0o644, "Dockerfile.tailscale": 0o644, "user-data": 0o600}


def test_example_takes_a_set_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PALETTE_REGISTRATION_TOKEN", "real-token-value-1")
    rendered = render_all(load_example())
    assert b"real-token-value-1" in rendered.files["user-data"]
    assert rendered.placeholders == ()


def test_unset_reference_is_an_error_at_its_position(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        render_all(load(UNSET_TOKEN, tmp_path))
    assert str(info.value) == (
        "palette-tailscale.yaml:3:23: secret reference: environment variable PT_UNSET_VAR is "
        "not set (export PT_UNSET_VAR=… or use {file: PATH})"
    )
    assert info.value.exit_code == 2


def test_allow_placeholders(tmp_path: Path) -> None:
    text = UNSET_TOKEN + "  auth_key: {file: missing-key}\n"
    rendered = render_all(load(text, tmp_path), allow_placeholders=True)
    userdata = rendered.files["user-data"].decode()
    assert PLACEHOLDER_TOKEN in userdata
    assert [p.split(":")[0] for p in rendered.placeholders] == ["palette.registration_token"]


def test_installer_delivery_is_refused_with_the_reason(tmp_path: Path) -> None:
    # Palette copies every installer user-data stage, skip-copy- ones included, to each host.
    text = "version: 1\ntailscale:\n  auth_key_delivery: installer\n  auth_key: {env: K}\n"
    with pytest.raises(InputError) as info:
        load(text, tmp_path)
    assert str(info.value) == (
        "palette-tailscale.yaml:3:22: tailscale.auth_key_delivery: installer is refused: "
        "Palette's installer copies every stage of the installer user-data, skip-copy- ones "
        "included, to each host's /oem (Palette docs: Sensitive User Data Handling), so the key "
        "would stay on every host built from the ISO; use site (one single-use key per host on "
        "its site medium: palette-tailscale fleet) or none"
    )
    assert info.value.exit_code == 2


def test_installer_user_data_never_holds_the_auth_key(tmp_path: Path) -> None:
    (tmp_path / "ts.key").write_text(AUTH_KEY + "\n")
    text = "version: 1\ntailscale:\n  auth_key: {file: ts.key}\n"
    rendered = render_all(load(text, tmp_path))
    assert AUTH_KEY.encode() not in rendered.files["user-data"]
    assert rendered.modes["user-data"] == 0o644


def test_no_secret_no_private_mode(tmp_path: Path) -> None:
    text = "version: 1\ntailscale:\n  auth_key_delivery: none\n"
    rendered = render_all(load(text, tmp_path))
    assert rendered.modes["user-data"] == 0o644
    assert rendered.secrets == ()


@pytest.mark.usefixtures("secrets_env")
def test_secrets_stay_out_of_dockerfile_and_arg_and_repr(tmp_path: Path) -> None:
    data = config(tailscale={"auth_key": {"env": "PT_TEST_AUTH_KEY"}})
    rendered = render_all(load(data, tmp_path))
    for name in ("Dockerfile.tailscale", ".arg"):
        assert TOKEN.encode() not in rendered.files[name]
        assert AUTH_KEY.encode() not in rendered.files[name]
    assert AUTH_KEY not in repr(rendered.secrets) and TOKEN not in repr(rendered.secrets)
