"""Input that used to pass silently (exit 0) is read and checked, or refused with exit 2."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from tests.fakes.tailnet_server import FakeTailnet

MARKER = "########################### Add any other image customizations here ####################"


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


def _config(hosts: str) -> None:
    Path("palette-tailscale.yaml").write_text(f"version: 1\nhosts: {hosts}\n")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("missing.csv", "inventory "),
        ("folder.csv", "is a directory"),
        ("/etc/hostname", "name a .csv, .yaml or .yml file"),
    ],
)
def test_render_reads_the_inventory_file(
    capsys: pytest.CaptureFixture[str], source: str, message: str
) -> None:
    if source == "/etc/hostname" and not Path(source).is_file():
        pytest.skip("no /etc/hostname")
    Path("folder.csv").mkdir()
    _config(f"{{from: {source}}}")
    assert main(["render", "-o", "out"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("palette-tailscale: error: palette-tailscale.yaml:2:") and message in err
    assert not Path("out").exists()


def test_a_one_host_inventory_file_names_the_host_like_an_inline_host(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _config("\n  - {name: edge-1, site: s1, palette: {project: Stores}}")
    assert main(["render", "-o", "inline"]) == 0
    Path("hosts.csv").write_text("name,site,project\nedge-1,s1,Stores\n")
    _config("{from: hosts.csv}")
    assert main(["render", "-o", "file"]) == 0
    inline = Path("inline/user-data").read_text()
    assert "    name: edge-1\n" in inline and "projectName: Stores" in inline
    assert Path("file/user-data").read_text() == inline


def test_build_reads_the_inventory_file_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkout = tmp_path / "CanvOS"
    checkout.mkdir()
    (checkout / "Dockerfile").write_text(f"FROM x\n{MARKER}\n")
    (checkout / "earthly.sh").write_text("#!/bin/sh\n")
    _config("{from: missing.csv}")
    assert main(["build", "--canvos", str(checkout), "--dry-run"]) == 2
    assert "missing.csv" in capsys.readouterr().err


def test_build_dry_run_needs_earthly_sh(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkout = tmp_path / "CanvOS"
    checkout.mkdir()
    (checkout / "Dockerfile").write_text(f"FROM x\n{MARKER}\n")
    assert main(["build", "--example", "--canvos", str(checkout), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert f"{checkout}/earthly.sh: missing; is {checkout} a CanvOS checkout?" in err
    (checkout / "earthly.sh").write_text("#!/bin/sh\n")
    main(["build", "--example", "--canvos", str(checkout), "--dry-run"])
    assert "earthly.sh" not in capsys.readouterr().err


@pytest.mark.parametrize("tag", ["edge", "tag:", "tag:Edge_1", "tag:-x"])
def test_devices_list_refuses_a_tag_that_is_not_one(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str], tag: str
) -> None:
    fake.state.add_device("edge-1", tags=["tag:edge"])
    assert main(["devices", "list", "--tag", tag]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"palette-tailscale: error: --tag: {tag!r} is not a tag")
    assert fake.requests == []


def test_revoke_unused_needs_a_provisioned_directory(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    _config("\n  - {name: edge-1}")
    assert main(["fleet", "revoke-unused", "-o", "typo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("palette-tailscale: error: typo: no provisioning journal here")
    assert not Path("typo").exists()
    assert fake.requests == []


@pytest.mark.parametrize(
    "argv",
    [
        ["render", "-c", "", "-o", "out"],
        ["render", "--example", "-o", ""],
        ["fleet", "render", "--example", "-o", ""],
        ["fleet", "render", "-c", ""],
        ["keys", "list", "--api-key-file", ""],
        ["keys", "create", "-o", ""],
        ["init", "-o", ""],
        ["lint", "--format", "parsable", ""],
    ],
    ids=lambda argv: " ".join(a or "''" for a in argv),
)
def test_an_empty_path_is_refused(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    # `-c "$CONFIG"` with CONFIG unset read the default config; `-o ""` wrote into the current
    # directory; `--api-key-file ""` fell back to the environment's key.
    _config("\n  - {name: edge-1}")
    before = sorted(p.name for p in Path().iterdir())
    assert main(argv) == 2
    assert "empty path" in capsys.readouterr().err
    assert sorted(p.name for p in Path().iterdir()) == before
    assert fake.requests == []


@pytest.mark.parametrize(
    "argv",
    [
        ["devices", "prune", "--older-than", "999999999999999999999d"],
        ["devices", "prune", "--stale-after", "36501d"],
        ["fleet", "status", "--expiring", "999999999999d"],
        ["keys", "create", "--expiry", "9" * 5000 + "d"],
    ],
    ids=lambda argv: " ".join(argv[:3]),
)
def test_a_duration_beyond_a_century_is_refused(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    # Found by the adversarial pass: a duration too long for a date was an internal error
    # (OverflowError, exit 3).
    _config("\n  - {name: edge-1}")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "is longer than 36500 days" in err and "internal error" not in err
    assert fake.requests == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Dockerfile", "CanvOS: no Dockerfile here"),
        ("user-data", "CanvOS/user-data: is a FIFO, not a file"),
        (".arg", "CanvOS/.arg: is a FIFO, not a file"),
    ],
)
def test_a_checkout_file_that_is_a_fifo_is_refused_at_once(
    tmp_path: Path, name: str, message: str
) -> None:
    # Found by the adversarial pass: render --canvos waited 30 s for a writer, as for a FIFO
    # the user passes on purpose, before failing; the render would replace the file anyway.
    checkout = tmp_path / "CanvOS"
    checkout.mkdir()
    (checkout / "Dockerfile").write_text(f"FROM x\n{MARKER}\n")
    (checkout / "earthly.sh").write_text("#!/bin/sh\n")
    (checkout / name).unlink(missing_ok=True)
    os.mkfifo(checkout / name)
    command = [sys.executable, "-m", "palette_tailscale", "render", "--example"]
    try:  # a run, not main(): a read waiting for a writer must fail this test, not hang it
        done = subprocess.run(
            [*command, "--canvos", str(checkout)], capture_output=True, text=True, timeout=20
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"render --canvos waited for a writer on {name}")
    assert done.returncode == 2 and message in done.stderr
    assert (checkout / name).is_fifo()


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
@pytest.mark.parametrize("flag", ["--diff", "--check"])
def test_an_output_that_is_no_file_is_never_read(tmp_path: Path, kind: str, flag: str) -> None:
    # Found by the adversarial pass: `render -o DIR --diff` read DIR/user-data whatever it was:
    # a FIFO blocked for ever, a link to /dev/zero read until the memory was gone.
    out = tmp_path / "out"
    out.mkdir()
    if kind == "fifo":
        os.mkfifo(out / "user-data")
    else:
        (out / "user-data").symlink_to("/dev/zero")
    command = [sys.executable, "-m", "palette_tailscale", "render", "--example", flag]
    try:  # a run, not main(): a read that never ends must fail this test, not hang it
        done = subprocess.run(
            [*command, "-o", str(out)],
            capture_output=True,
            text=True,
            timeout=20,
            preexec_fn=_two_gib,  # nor take the machine's memory with it
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"render {flag} read {kind} without end")
    if flag == "--check":  # compared by kind and size only: it differs
        assert done.returncode == 1
    else:
        assert done.returncode == 2
        assert f"{out}/user-data: it is not a regular file; move it away" in done.stderr


def _two_gib() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
