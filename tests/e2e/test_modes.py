"""Boots that must never register a node: the live installer, recovery and auto-reset.

Each boots with our installer user-data and the host's site user-data in its (scratch) ``/oem``,
as the live medium and Kairos's cdrom datasource would leave them; Headscale must then hold no
node for the host, and its key must stay unused. The same host then boots installed and joins,
which shows the media were good all along.
"""

from __future__ import annotations

import pytest

from .fleet import Fleet
from .headscale import Headscale
from .host import Tools

NAME = "edge-e2e-modes"


@pytest.fixture(scope="package")
def single(headscale: Headscale, tmp_path_factory: pytest.TempPathFactory) -> Fleet:
    made = Fleet(
        folder=tmp_path_factory.mktemp("modes"),
        server=headscale,
        names=(NAME,),
        login_server=headscale.url,
    )
    made.provision()
    return made


@pytest.mark.parametrize("mode", ["live_mode", "recovery_mode", "autoreset_mode"])
def test_no_node_is_registered(single: Fleet, tools: Tools, mode: str) -> None:
    host = single.host(NAME, tools)
    media = {"90_custom.yaml": single.installer, "95_userdata/userdata.yaml": single.site(NAME)}
    boot = host.boot(mode, live_oem=media)
    try:
        assert boot.rc == 0, boot.yip_output[-2000:]
        assert "=== yip -s network.after /oem" in boot.yip_output  # the stage did run
        assert NAME not in [n["name"] for n in single.server.nodes()]
        assert single.server_key(NAME)["used"] is False
        scratch = host.home / "scratch" / "usr-local" / "etc" / "palette-tailscale"
        assert not (scratch / "authkey").exists()  # the key step is guarded too
    finally:
        host.shutdown()


def test_the_installed_boot_then_joins(single: Fleet, tools: Tools) -> None:
    host = single.host(NAME, tools)
    boot = host.boot("active_mode")
    assert boot.command_exits() == [], boot.yip_output[-2000:]
    nodes = single.server.wait_for(
        lambda ns: any(n["name"] == NAME and n.get("online") for n in ns),
        timeout=60,
        what=f"{NAME} online",
    )
    assert [n["name"] for n in nodes].count(NAME) == 1
    assert single.server_key(NAME)["used"] is True
    host.shutdown()
