"""Lenient parsing: any JSON a server sends becomes a record or a BadResponse, never a crash."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palette_tailscale.tailnet.errors import BadResponse
from palette_tailscale.tailnet.headscale import device_from_headscale
from palette_tailscale.tailnet.headscale_keys import key_info
from palette_tailscale.tailnet.parse import as_list, timestamp
from palette_tailscale.tailnet.tailscale import device_from_tailscale

FIELDS = [
    "id",
    "nodeId",
    "hostname",
    "name",
    "givenName",
    "tags",
    "forcedTags",
    "validTags",
    "addresses",
    "ipAddresses",
    "created",
    "createdAt",
    "lastSeen",
    "expires",
    "expiry",
    "connectedToControl",
    "online",
    "user",
    "multipleConnections",
    "isExternal",
    "authorized",
    "advertiseRoutes",
    "advertisedRoutes",
    "expiration",
    "used",
    "reusable",
    "aclTags",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
records = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=12)


@settings(max_examples=300, deadline=None)
@given(records)
def test_any_record_parses(entry: dict[str, Any]) -> None:
    device_from_tailscale(entry)
    device_from_headscale(entry)
    key_info(entry)


@given(json_values)
def test_a_list_field_is_a_list_of_objects_or_a_bad_response(value: Any) -> None:
    try:
        items = as_list(value, "devices")
    except BadResponse:
        return
    assert all(isinstance(item, dict) for item in items)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-09-01T12:00:00Z", datetime(2026, 9, 1, 12, tzinfo=timezone.utc)),
        (
            "2026-09-01T12:00:00.123456789Z",
            datetime(2026, 9, 1, 12, 0, 0, 123456, tzinfo=timezone.utc),
        ),
        ("2026-09-01T14:00:00+02:00", datetime(2026, 9, 1, 12, tzinfo=timezone.utc)),
        ("", None),
        ("0001-01-01T00:00:00Z", None),
        ("yesterday", None),
        (None, None),
        (12, None),
    ],
)
def test_timestamps(text: object, expected: datetime | None) -> None:
    assert timestamp(text) == expected


def test_both_route_spellings_are_read() -> None:
    old = device_from_tailscale({"nodeId": "n1", "advertiseRoutes": ["10.0.0.0/24"]})
    new = device_from_tailscale({"nodeId": "n1", "advertisedRoutes": ["10.0.0.0/24"]})
    assert old.extra["advertisedRoutes"] == new.extra["advertisedRoutes"] == ["10.0.0.0/24"]


def test_numeric_ids_become_strings() -> None:
    assert device_from_tailscale({"id": 12345, "hostname": "h"}).id == "12345"
    assert device_from_headscale({"id": 7, "name": "h", "user": {"name": "edge"}}).user == "edge"
