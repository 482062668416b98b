"""The whole tier talked to loopback only: checked on the kernel's own socket tables.

Runs after the other e2e modules (the name sorts last); the package fixture also re-checks when
the tier ends, so a socket opened after this test still fails the run.
"""

from __future__ import annotations

from . import netns
from .conftest import Tier


def test_the_namespace_has_only_loopback(tier: Tier) -> None:
    assert netns.interfaces(tier.holder) == ["lo"]


def test_no_socket_of_the_tier_left_loopback(tier: Tier) -> None:
    assert tier.samples >= 1  # the watcher looks every 0.2 s while the tier runs
    assert tier.outside + netns.outside_loopback(tier.holder) == []


def test_the_detector_sees_an_outside_peer() -> None:
    # /proc/net/tcp rows: local 127.0.0.1:8080 -> peer 192.0.2.7:443, and a loopback pair.
    rows = [
        "  sl  local_address rem_address   st",
        "   0: 0100007F:1F90 070200C0:01BB 01",
        "   1: 0100007F:1F90 0100007F:D431 01",
    ]
    found = netns.outside_rows("tcp", rows[1:])
    assert found == ["tcp 0100007F:1F90 -> 070200C0:01BB (192.0.2.7)"]


def test_ipv6_rows_are_read_in_the_kernels_word_order() -> None:
    loopback = "00000000000000000000000001000000"  # ::1
    mapped = "0000000000000000FFFF00000100007F"  # ::ffff:127.0.0.1
    outside = "B80D0120000000000000000001000000"  # 2001:db8::1
    row = "   0: {}:0050 {}:C350 01"
    assert netns.outside_rows("tcp6", [row.format(loopback, mapped)]) == []
    [hit] = netns.outside_rows("tcp6", [row.format(loopback, outside)])
    assert hit.endswith("(2001:db8::1)")
