"""Atomic writes: the old file or the new one, never a partial one; modes as asked."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from palette_tailscale import atomic
from palette_tailscale.errors import InputError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_creates_parents_with_the_mode(tmp_path: Path) -> None:
    key = tmp_path / "a" / "b" / "authkey"
    atomic.write_atomic(key, "tskey-auth-x\n", mode=0o600)
    assert key.read_bytes() == b"tskey-auth-x\n" and _mode(key) == 0o600
    other = tmp_path / "plain"
    atomic.write_atomic(other, b"\x00\xff")
    assert other.read_bytes() == b"\x00\xff" and _mode(other) == 0o644


def test_replacing_a_file_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_text("old")
    path.chmod(0o666)
    atomic.write_atomic(path, "new", mode=0o600)
    assert path.read_text() == "new" and _mode(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_the_data_is_synced_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(f"fsync {os.fstat(fd).st_size}")
        real_fsync(fd)

    def replace(src: str, dst: object) -> None:
        events.append("replace")
        name = os.path.basename(src)
        # A hidden temporary beside the target, named after it (a crash leaves ".f.*.tmp").
        assert name.startswith(".f.") and name.endswith(".tmp")
        assert os.path.dirname(src) == str(tmp_path)
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    atomic.write_atomic(tmp_path / "f", "12345")
    assert events == ["fsync 5", "replace"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f"
    path.write_text("old")

    def replace(src: str, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(InputError, match=f"cannot write {path}: No space left"):
        atomic.write_atomic(path, "new")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_write_all_checks_every_target_before_writing(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    good, bad = tmp_path / "out" / "good", tmp_path / "blocker" / "bad"
    with pytest.raises(InputError) as info:
        atomic.write_all({good: "1", bad: "2"})
    assert str(info.value) == f"cannot write {bad}: {tmp_path / 'blocker'} is not a directory"
    assert not good.exists()


def test_write_all_modes_per_file(tmp_path: Path) -> None:
    key, plain = tmp_path / "key", tmp_path / "plain"
    atomic.write_all({key: "k", plain: "p"}, modes={key: 0o600})
    assert (_mode(key), _mode(plain)) == (0o600, 0o644)
    atomic.write_all({plain: "q"})
    assert plain.read_text() == "q"


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        atomic.check_writable(tmp_path)
    assert str(info.value) == f"cannot write {tmp_path}: it is a directory, not a regular file"


def test_writability_is_proven_by_making_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A permission check says yes to root even in /proc, where no file can be made: only
    # creating the temporary file proves the target can be written.
    target = tmp_path / "new" / "f"

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    with pytest.raises(InputError) as info:
        atomic.check_writable(target)
    assert str(info.value) == f"cannot write {target}: Permission denied"
    assert list(tmp_path.iterdir()) == []  # the folder made for the file is gone again


def test_a_check_leaves_nothing_behind(tmp_path: Path) -> None:
    atomic.check_writable(tmp_path / "a" / "b" / "f")
    assert list(tmp_path.iterdir()) == []
