"""The same behaviour from every backend: Tailscale and Headscale 0.22, 0.25, 0.26, 0.28."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from palette_tailscale.tailnet import InvalidRequest, KeyRequest, NotFound

from .conftest import Env

NOW = datetime.now(timezone.utc)


def test_create_key_returns_the_secret_once_and_keeps_metadata(env: Env) -> None:
    now = datetime.now(timezone.utc)  # not the module's NOW: the suite may run long before this
    created = env.backend.create_key(
        KeyRequest(reusable=True, tags=("tag:edge",), expiry_seconds=3600, description="site a")
    )
    stored = env.fake.state.keys[created.info.id]
    assert created.key.reveal() == stored.key
    assert stored.reusable is True and stored.tags == ["tag:edge"]
    assert created.info.tags == ("tag:edge",) and created.info.reusable
    assert created.info.expires is not None
    assert timedelta(minutes=55) < created.info.expires - now < timedelta(minutes=65)
    assert stored.key not in repr(created)


def test_list_and_get_keys_never_carry_a_secret(env: Env) -> None:
    first = env.backend.create_key(KeyRequest(tags=("tag:edge",)))
    second = env.backend.create_key(KeyRequest(tags=("tag:edge",), ephemeral=True))
    listed = env.backend.list_keys()
    assert {i.id for i in listed} == {first.info.id, second.info.id}
    assert env.backend.get_key(second.info.id).ephemeral is True
    assert all(first.key.reveal() not in repr(i) for i in listed)


def test_revoked_key_is_invalid(env: Env) -> None:
    created = env.backend.create_key(KeyRequest(tags=("tag:edge",)))
    env.backend.revoke_key(created.info.id)
    assert env.backend.get_key(created.info.id).invalid is True


def test_unknown_key_is_not_found(env: Env) -> None:
    with pytest.raises(NotFound, match="key '999' not found"):
        env.backend.revoke_key("999")


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (KeyRequest(description="no_underscores"), "description 'no_underscores' is not allowed"),
        (KeyRequest(description="x" * 51), "at most 50"),
        (KeyRequest(expiry_seconds=0), "out of range"),
        (KeyRequest(expiry_seconds=91 * 86400), "at most 90 days"),
        (KeyRequest(tags=("edge",)), "'edge' is not a tag"),
    ],
)
def test_bad_key_requests_are_refused_before_sending(
    env: Env, request_: KeyRequest, message: str
) -> None:
    with pytest.raises(InvalidRequest, match=message):
        env.backend.create_key(request_)
    assert env.fake.paths("POST") == []


def test_list_devices_normalises_both_apis(env: Env) -> None:
    env.fake.state.add_device(
        "edge-7", tags=["tag:edge"], online=False, last_seen=NOW - timedelta(days=2)
    )
    env.fake.state.add_device("edge-8", online=True, created=None)
    by_host = {d.hostname: d for d in env.backend.list_devices()}
    seven, eight = by_host["edge-7"], by_host["edge-8"]
    assert seven.tags == ("tag:edge",) and seven.online is False
    assert seven.last_seen is not None and abs((NOW - seven.last_seen).days - 2) <= 1
    assert seven.addresses and seven.addresses[0].startswith("100.64.")
    assert eight.online is True and eight.created is None


def test_device_round_trip_rename_tag_delete(env: Env) -> None:
    device = env.fake.state.add_device("edge-1")
    env.backend.rename_device(device.id, "edge-one")
    env.backend.set_device_tags(device.id, ["tag:edge", "tag:site-a"])
    got = env.backend.get_device(device.id)
    assert got.name.split(".")[0] == "edge-one"
    assert set(got.tags) == {"tag:edge", "tag:site-a"}
    env.backend.authorize_device(device.id)
    env.backend.delete_device(device.id)
    assert env.backend.list_devices() == []
    with pytest.raises(NotFound, match=f"'{device.id}' not found"):
        env.backend.get_device(device.id)
