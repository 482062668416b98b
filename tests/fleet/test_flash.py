"""`fleet flash`: image files written and read back; devices checked on a stand-in /sys and /proc.

No test writes to a real device: a "device" here is a regular file that a stand-in
:class:`SystemView` declares to be a block device, with a sysfs and /proc tree built per test.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from palette_tailscale.cli import fleet_field_cmd
from palette_tailscale.cli.main import main
from palette_tailscale.errors import InputError
from palette_tailscale.fleet import blockdev, flash
from tests.fakes.tailnet_server import FakeTailnet

from .fieldkit import fleet, in_days, key_of, set_expiry, workdir

__all__ = ["fleet", "workdir"]  # fixtures

ISO2 = Path("fleet/hosts/edge-2/edge-2.iso")
DISK, PART = os.makedev(8, 16), os.makedev(8, 17)


class StandIn:
    """A /sys and /proc tree for one USB stick ``sdb`` with a partition ``sdb1``."""

    def __init__(self, root: Path, *, removable: str = "1", ro: str = "0", sectors: int = 2048):
        self.root = root
        root.mkdir(parents=True)
        self.disk = root / "dev-sdb"  # what the test calls /dev/sdb
        self.part = root / "dev-sdb1"
        self.disk.write_bytes(b"")
        self.part.write_bytes(b"")
        block = root / "sys/devices/pci0000:00/usb1/1-1/host6/block/sdb"
        (block / "sdb1" / "holders").mkdir(parents=True)
        (block / "holders").mkdir()
        disk = {"removable": removable, "ro": ro, "size": str(sectors), "dev": "8:16"}
        part = {"partition": "1", "ro": ro, "size": str(sectors - 8), "dev": "8:17"}
        for folder, values in ((block, disk), (block / "sdb1", part)):
            for name, value in values.items():
                (folder / name).write_text(value + "\n")
        links = root / "sys/dev/block"
        links.mkdir(parents=True)
        os.symlink(block, links / "8:16")
        os.symlink(block / "sdb1", links / "8:17")
        (root / "proc/self").mkdir(parents=True)
        self.mounts(["22 1 0:21 / /proc rw - proc proc rw"])
        (root / "proc/swaps").write_text("Filename\tType\tSize\tUsed\tPriority\n")

    def mounts(self, lines: list[str]) -> None:
        (self.root / "proc/self/mountinfo").write_text("".join(f"{ln}\n" for ln in lines))

    def view(self) -> blockdev.SystemView:
        devices = {self.disk: DISK, self.part: PART}
        return blockdev.SystemView(
            sys_root=self.root / "sys", proc_root=self.root / "proc", block_rdev=devices.get
        )


@pytest.fixture
def stick(tmp_path: Path) -> StandIn:
    return StandIn(tmp_path / "standin")


def _refusal(stick: StandIn, target: Path | None = None, *, force: bool = False) -> str:
    with pytest.raises(InputError) as caught:
        flash.check_target(target or stick.disk, 70_000, force=force, view=stick.view())
    return str(caught.value)


MOUNTED = "36 29 8:17 / /media/tech/STICK\\040A rw,nosuid - vfat /dev/sdb1 rw"
BTRFS = "40 29 0:51 / /mnt/data rw - btrfs /dev/sdb1 rw"


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda s: s.mounts([MOUNTED]), "sdb1 is mounted on /media/tech/STICK A"),
        (lambda s: s.mounts([BTRFS]), "sdb1 is mounted on /mnt/data"),
        (
            lambda s: (s.root / "proc/swaps").write_text("Filename\n/dev/sdb1 partition 1 0 -2\n"),
            "sdb1 is swap",
        ),
        (
            lambda s: (s.root / "sys/dev/block/8:17/holders/dm-0").mkdir(),
            "sdb1 is held by dm-0",
        ),
        (
            lambda s: (s.root / "sys/dev/block/8:16/removable").write_text("0\n"),
            "sdb is not a removable device",
        ),
    ],
    ids=["mounted", "mounted-btrfs", "swap", "device-mapper", "not-removable"],
)
def test_refusals_unless_forced(
    stick: StandIn, setup: Callable[[StandIn], object], reason: str
) -> None:
    setup(stick)
    message = _refusal(stick)
    assert (
        message
        == f"{stick.disk}: refusing to write: {reason} (check the device; --force writes anyway)"
    )
    forced = flash.check_target(stick.disk, 70_000, force=True, view=stick.view())
    assert forced.overridden == (reason,)


def test_a_partition_is_refused(stick: StandIn) -> None:
    assert "sdb1 is a partition: write the whole stick (its disk device)" in _refusal(
        stick, stick.part
    )


def test_read_only_and_too_small_are_refused_even_with_force(tmp_path: Path) -> None:
    ro = StandIn(tmp_path / "ro", ro="1")
    assert "the device is read-only" in _refusal(ro, force=True)
    small = StandIn(tmp_path / "small", sectors=64)
    assert _refusal(small, force=True) == (
        f"{small.disk}: the device has 32768 bytes; the ISO needs 70000"
    )


def test_a_clean_removable_stick_is_accepted(stick: StandIn) -> None:
    stick.mounts(["36 29 8:33 / /media/other rw - vfat /dev/sdc1 rw"])  # another stick
    target = flash.check_target(stick.disk, 70_000, force=False, view=stick.view())
    assert (target.kind, target.overridden) == ("device", ())
    assert target.facts is not None and target.facts.removable and target.facts.name == "sdb"


def test_cli_refuses_a_mounted_stick_and_writes_nothing(
    fleet: FakeTailnet,
    stick: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(fleet_field_cmd, "system_view", stick.view)
    stick.mounts([MOUNTED])
    assert main(["fleet", "flash", "edge-2", str(stick.disk)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "refusing to write: sdb1 is mounted on /media/tech/STICK A" in err
    assert stick.disk.read_bytes() == b""
    # --force writes anyway, says what it overrode, and reads the stick back
    assert main(["fleet", "flash", "edge-2", str(stick.disk), "--force"]) == 0
    out, err = capsys.readouterr()
    iso = ISO2.read_bytes()
    check = hashlib.sha256(iso).hexdigest()[:8]
    assert err == "palette-tailscale: warning: --force: sdb1 is mounted on /media/tech/STICK A\n"
    assert out == (
        f"wrote {ISO2} ({len(iso)} bytes) to device {stick.disk}; "
        f"read back: sha256 matches (check {check})\n"
    )
    assert stick.disk.read_bytes() == iso


def test_cli_writes_a_clean_stick(
    fleet: FakeTailnet,
    stick: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(fleet_field_cmd, "system_view", stick.view)
    stick.disk.write_bytes(b"\xaa" * 200_000)  # an old image, longer than the ISO
    assert main(["fleet", "flash", "edge-2", str(stick.disk)]) == 0
    assert capsys.readouterr().err == ""
    iso = ISO2.read_bytes()
    data = stick.disk.read_bytes()
    assert data[: len(iso)] == iso and data[len(iso) :] == b"\xaa" * (200_000 - len(iso))
    assert main(["fleet", "inspect", str(stick.disk), "--offline"]) == 0  # a file holding it
    assert "an image file holding an ISO 9660 volume at offset 0" in capsys.readouterr().out


def test_flash_to_an_image_file_and_read_back(
    fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "flash", "edge-2", "edge-2.img"]) == 0
    out = capsys.readouterr().out
    iso = ISO2.read_bytes()
    assert out.startswith(f"wrote {ISO2} ({len(iso)} bytes) to image file edge-2.img; ")
    assert Path("edge-2.img").read_bytes() == iso
    assert stat.S_IMODE(os.stat("edge-2.img").st_mode) == 0o600
    assert main(["fleet", "flash", "edge-1", "edge-2.img"]) == 2
    assert "edge-2.img: the file exists (--force replaces it)" in capsys.readouterr().err
    assert Path("edge-2.img").read_bytes() == iso
    assert main(["fleet", "flash", "edge-1", "edge-2.img", "--force"]) == 0
    assert Path("edge-2.img").read_bytes() == Path("fleet/hosts/edge-1/edge-1.iso").read_bytes()


def test_a_faulty_medium_fails_the_read_back(
    fleet: FakeTailnet,
    stick: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(fleet_field_cmd, "system_view", stick.view)
    real = flash._write_device

    def lossy(path: Path, data: bytes, *, exclusive: bool) -> None:  # a stick dropping a byte
        real(path, data[:-1] + bytes([data[-1] ^ 0xFF]), exclusive=exclusive)

    monkeypatch.setattr(flash, "_write_device", lossy)
    assert main(["fleet", "flash", "edge-2", str(stick.disk)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "read back sha256" in err and "use another stick" in err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["../edge-2", "x.img"], 2, "'../edge-2' is not a host name"),
        (["edge-9", "x.img"], 2, "fleet/hosts/edge-9/edge-9.iso: No such file or directory"),
        (["edge-2", "/dev/pt-no-such-stick"], 2, "/dev/pt-no-such-stick: no such device"),
        (["edge-2", "/dev/null"], 2, "/dev/null: neither a block device nor a regular file"),
        (["edge-2", "fleet"], 2, "fleet: neither a block device nor a regular file"),
        (["edge-2", "nowhere/x.img"], 2, "nowhere/x.img: nowhere is not a directory"),
    ],
)
def test_bad_hosts_and_targets(
    fleet: FakeTailnet,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    assert main(["fleet", "flash", *args]) == code
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"palette-tailscale: error: {message}"), err
    assert not Path("x.img").exists() and not Path("/dev/pt-no-such-stick").exists()


def test_an_iso_the_journal_does_not_know_is_not_written(
    fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    ISO2.write_bytes(ISO2.read_bytes() + b"\x00" * 2048)
    assert main(["fleet", "flash", "edge-2", "x.img"]) == 1
    assert "is not the ISO the journal recorded for edge-2" in capsys.readouterr().err
    assert not Path("x.img").exists()


def test_an_expired_key_is_warned_about(
    fleet: FakeTailnet, capsys: pytest.CaptureFixture[str]
) -> None:
    set_expiry("edge-2", in_days(-1))
    assert main(["fleet", "flash", "edge-2", "x.img"]) == 0
    err = capsys.readouterr().err
    key = key_of(fleet, "edge-2")
    assert err == (
        f"palette-tailscale: warning: edge-2's key {key.id} is expired (1d ago): "
        "the stick will not join; run `fleet provision`\n"
    )


def test_a_placeholder_stick_is_warned_about(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fleet", "render"]) == 0
    capsys.readouterr()
    assert main(["fleet", "flash", "edge-1", "x.img"]) == 0
    assert capsys.readouterr().err == (
        "palette-tailscale: warning: edge-1's ISO holds the placeholder key: the stick will not "
        "join; run `fleet provision`\n"
    )
