"""Outputs that cannot be written: input errors (exit 2) naming the path, nothing written."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from tests.fakes.tailnet_server import FakeTailnet

HAS_PROC = Path("/proc/self").is_dir()


@pytest.fixture(autouse=True)
def _workdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("TAILSCALE_", "HEADSCALE_")) or name == "TS_AUTHKEY":
            monkeypatch.delenv(name)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTailnet]:
    with FakeTailnet() as server:
        monkeypatch.setenv("TAILSCALE_API_KEY", server.api_key)
        monkeypatch.setenv("TAILSCALE_BASE_URL", server.url)
        yield server


def _one_clean_line(capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "NOTICE" not in ln and "warning" not in ln]
    assert len(lines) == 1, err
    assert lines[0].startswith("palette-tailscale: error: "), err
    for needle in needles:
        assert needle in lines[0], err
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(
            ["init", "-o", "/proc/x.yaml"], marks=pytest.mark.skipif(not HAS_PROC, reason="/proc")
        ),
        ["init", "-o", "/etc/passwd/x.yaml"],
        pytest.param(
            ["schema", "-o", "/proc/x.json"],
            marks=pytest.mark.skipif(not HAS_PROC, reason="/proc"),
        ),
        ["schema", "-o", "/etc/passwd/x.json"],
        ["render", "--example", "-o", "/etc/passwd/out"],
    ],
    ids=["init-proc", "init-under-file", "schema-proc", "schema-under-file", "render-under-file"],
)
def test_single_file_outputs(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert main(argv) == 2
    _one_clean_line(capsys, "cannot write")


def test_init_refuses_a_fifo(capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo("cfg.yaml")
    assert main(["init", "-o", "cfg.yaml", "--force"]) == 2
    _one_clean_line(capsys, "cfg.yaml: it is a FIFO, not a regular file")
    assert Path("cfg.yaml").is_fifo()


@pytest.mark.skipif(not HAS_PROC, reason="needs /proc")
def test_fleet_render_into_proc(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "render", "--example", "-o", "/proc/qa"]) == 2
    _one_clean_line(capsys, "/proc/qa")


@pytest.mark.skipif(not HAS_PROC, reason="needs /proc")
def test_fleet_render_into_a_directory_that_takes_no_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # /proc/self exists and passes a permission check, but no file can be made in it: the run
    # says so before it renders anything.
    assert main(["fleet", "render", "--example", "-o", "/proc/self"]) == 2
    assert _one_clean_line(capsys).startswith(
        "palette-tailscale: error: cannot write to /proc/self: "
    )


@pytest.mark.skipif(not HAS_PROC, reason="needs /proc")
def test_fleet_provision_into_proc_mints_nothing(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "provision", "--example", "-o", "/proc/qa"]) == 2
    _one_clean_line(capsys, "/proc/qa")
    assert fake.state.keys == {}


def test_fleet_render_when_hosts_is_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    Path("out").mkdir()
    Path("out/hosts").write_text("not a folder\n")
    assert main(["fleet", "render", "--example", "-o", "out"]) == 2
    _one_clean_line(capsys, "out/hosts", "not a directory")
    assert Path("out/hosts").read_text() == "not a folder\n"


def test_fleet_render_when_a_host_folder_is_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    Path("out/hosts").mkdir(parents=True)
    Path("out/hosts/edge-store-0002").write_text("not a folder\n")
    assert main(["fleet", "render", "--example", "-o", "out"]) == 2
    _one_clean_line(capsys, "out/hosts/edge-store-0002", "not a directory")
    assert sorted(p.name for p in Path("out/hosts").iterdir()) == ["edge-store-0002"]


def test_fleet_provision_when_a_host_folder_is_a_file_mints_nothing(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("out/hosts").mkdir(parents=True)
    Path("out/hosts/edge-store-0002").write_text("not a folder\n")
    assert main(["fleet", "provision", "--example", "-o", "out"]) == 2
    _one_clean_line(capsys, "out/hosts/edge-store-0002", "not a directory")
    assert fake.state.keys == {}


def test_fleet_provision_when_the_journal_is_a_directory(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("out/journal.jsonl").mkdir(parents=True)
    assert main(["fleet", "provision", "--example", "-o", "out"]) == 2
    _one_clean_line(capsys, "out/journal.jsonl")
    assert fake.state.keys == {}


def test_fleet_provision_when_the_journal_is_a_fifo(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("out").mkdir()
    os.mkfifo("out/journal.jsonl")
    assert main(["fleet", "provision", "--example", "-o", "out"]) == 2
    _one_clean_line(capsys, "out/journal.jsonl", "not a regular file")
    assert fake.state.keys == {}


def test_fleet_out_under_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    Path("blocker").write_text("x\n")
    assert main(["fleet", "render", "--example", "-o", "blocker/out"]) == 2
    _one_clean_line(capsys, "blocker")
    assert Path("blocker").read_text() == "x\n"


def test_fleet_provision_when_a_host_file_is_a_directory_mints_nothing(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    # Found by the adversarial pass: the key was minted, then revoked when the write failed
    # with a raw "[Errno 21] Is a directory: '….tmp' -> '…'".
    Path("out/hosts/edge-store-0002/user-data").mkdir(parents=True)
    assert main(["fleet", "provision", "--example", "-o", "out"]) == 2
    _one_clean_line(capsys, "cannot write out/hosts/edge-store-0002/user-data: it is a directory")
    assert fake.state.keys == {}
