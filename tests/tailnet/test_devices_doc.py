"""docs/devices.md: its console examples run as written against a fake tailnet.

The devices below are the ones the page talks about; the commands' clock is fixed, so the times
printed are the page's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from palette_tailscale import times
from tests.conftest import REPO
from tests.console import run_examples
from tests.fakes.tailnet_server import FakeTailnet

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
CREATED = datetime(2026, 9, 1, 8, 30, tzinfo=timezone.utc)


@pytest.fixture
def tailnet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeTailnet]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(times, "now", lambda: NOW)
    Path("palette-tailscale.yaml").write_text("version: 1\ntailscale:\n  tags: [tag:edge]\n")
    with FakeTailnet() as fake:
        monkeypatch.setenv("TAILSCALE_BASE_URL", fake.url)
        monkeypatch.setenv("TAILSCALE_API_KEY", fake.api_key)
        add = fake.state.add_device
        edge = {"tags": ["tag:edge"], "created": CREATED}
        add("edge-0007", device_id="nT7c1ddCNTRL", last_seen=NOW - timedelta(days=45), **edge)
        add("edge-0009", device_id="nZ3k8qqCNTRL", online=True, multiple_connections=True, **edge)
        add("edge-0042", device_id="n292kg92CNTRL", online=True, **edge)
        add("edge-0042", device_id="n5Ab3xyCNTRL", last_seen=NOW - timedelta(days=12), **edge)
        add(
            "localhost",
            device_id="nQ9w2ePCNTRL",
            name="localhost-1.tail1234.ts.net",
            last_seen=NOW - timedelta(days=2),
            **edge,
        )
        laptop = {"created": CREATED, "last_seen": NOW - timedelta(days=40)}
        add("build-box", device_id="nB1ld0xCNTRL", **laptop)
        yield fake


def test_the_examples_run_as_written(
    tailnet: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (REPO / "docs" / "devices.md").read_text(encoding="utf-8")
    assert run_examples(text, capsys, "docs/devices.md") >= 7
    assert set(tailnet.state.devices) == {"nZ3k8qqCNTRL", "n292kg92CNTRL", "nB1ld0xCNTRL"}
