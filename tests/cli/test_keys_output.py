"""`keys create --output`: a key is never minted unless it can be written, and never lost.

The target is proven writable by creating the temporary file beside it before the API is asked;
a key whose write fails anyway is revoked. A target that exists and is not a regular file (a FIFO,
a socket, a device) is refused; ``-`` means standard output.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from palette_tailscale import atomic
from palette_tailscale.cli.main import main
from tests.fakes.tailnet_server import FakeTailnet, Fault


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeTailnet]:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("TAILSCALE_", "HEADSCALE_")):
            monkeypatch.delenv(name)
    with FakeTailnet() as server:
        monkeypatch.setenv("TAILSCALE_BASE_URL", server.url)
        monkeypatch.setenv("TAILSCALE_API_KEY", server.api_key)
        yield server


def _posts(fake: FakeTailnet) -> list[str]:
    return fake.paths("POST")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("target", ["/proc/palette-tailscale-k", "/proc/self/palette-k"])
def test_a_directory_where_no_file_can_be_made_mints_nothing(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    # /proc passes a permission check (as root) but no file can be created there.
    assert main(["keys", "create", "--tag", "tag:edge", "-o", target]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"palette-tailscale: error: cannot write {target}: ")
    assert err.count("\n") == 1 and "internal error" not in err
    assert fake.state.keys == {} and _posts(fake) == []


def test_a_key_whose_write_fails_after_minting_is_revoked(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", full_disk)
    assert main(["keys", "create", "-o", "edge.key"]) == 1
    err = capsys.readouterr().err
    (key,) = fake.state.keys.values()
    assert key.revoked is not None, "the minted key must not stay valid with its secret lost"
    assert f"cannot write edge.key: No space left on device; key {key.id} was revoked" in err
    assert key.key not in err
    assert not Path("edge.key").exists()
    assert [p for p in Path().iterdir() if p.name.startswith(".edge.key")] == []


def test_a_failed_revoke_names_the_key_to_revoke(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", full_disk)
    fake.add_fault(Fault("status", method="DELETE", status=403, times=99))
    assert main(["keys", "create", "-o", "edge.key"]) == 1
    err = capsys.readouterr().err
    (key,) = fake.state.keys.values()
    assert key.revoked is None
    assert f"revoke key {key.id} yourself (`palette-tailscale keys revoke {key.id}`)" in err


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _socket(path: Path) -> Path:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()
    return path


def _device(path: Path) -> Path:
    if os.geteuid() != 0:
        pytest.skip("creating a device node needs root")
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null
    return path


@pytest.mark.parametrize(
    ("make", "kind"),
    [(_fifo, "a FIFO"), (_socket, "a socket"), (_device, "a character device")],
    ids=["fifo", "socket", "device"],
)
def test_a_target_that_is_not_a_regular_file_is_refused_before_minting(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str], tmp_path: Path, make: object, kind: str
) -> None:
    assert callable(make)
    target = make(tmp_path / "special")
    before = os.lstat(target)
    assert main(["keys", "create", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {target}: it is {kind}, not a regular file" in err
    after = os.lstat(target)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert fake.state.keys == {}


def test_dash_means_standard_output(fake: FakeTailnet, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "create", "-o", "-"]) == 0
    out, err = capsys.readouterr()
    (key,) = fake.state.keys.values()
    assert out == key.key + "\n"
    assert not Path("-").exists()
    assert "written to" not in err


def test_a_symlink_to_a_regular_file_is_written_through(
    fake: FakeTailnet, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    real = tmp_path / "real.key"
    real.write_text("old\n")
    link = tmp_path / "link.key"
    link.symlink_to(real)
    assert main(["keys", "create", "-o", str(link)]) == 0
    (key,) = fake.state.keys.values()
    assert link.is_symlink() and real.read_text() == key.key + "\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
