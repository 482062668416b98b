"""A host's three files: written whole (a new folder at once, or file by file), checked, cleaned."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from palette_tailscale.fleet import artifacts
from palette_tailscale.fleet.iso import build_iso


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("secret", [True, False])
def test_write_new_then_replace(tmp_path: Path, secret: bool) -> None:
    first = artifacts.HostArtifacts.from_user_data(b"#cloud-config\na: 1\n")
    second = artifacts.HostArtifacts.from_user_data(b"#cloud-config\na: 2\n")
    for made in (first, second):
        artifacts.write(tmp_path, "edge-1", made, secret=secret)
        files = artifacts.paths(tmp_path, "edge-1")
        assert files["user-data"].read_bytes() == made.user_data
        assert files["iso"].read_bytes() == build_iso(made.user_data)
        assert files["meta-data"].read_bytes() == b""
        assert _mode(files["user-data"]) == _mode(files["iso"]) == (0o600 if secret else 0o644)
        assert _mode(files["meta-data"]) == 0o644
        assert artifacts.check(tmp_path, "edge-1", made.digests()) == ("ok", made.user_data)
    assert sorted(p.name for p in (tmp_path / "hosts").iterdir()) == ["edge-1"]
    assert sorted(p.name for p in (tmp_path / "hosts" / "edge-1").iterdir()) == [
        "edge-1.iso",
        "meta-data",
        "user-data",
    ]


def test_check_tells_what_is_damaged(tmp_path: Path) -> None:
    made = artifacts.HostArtifacts.from_user_data(b"#cloud-config\n")
    artifacts.write(tmp_path, "h", made, secret=True)
    files = artifacts.paths(tmp_path, "h")
    files["iso"].write_bytes(b"torn")
    assert artifacts.check(tmp_path, "h", made.digests()) == ("rebuild-iso", made.user_data)
    files["meta-data"].unlink()
    assert artifacts.check(tmp_path, "h", made.digests())[0] == "rebuild-iso"
    files["user-data"].write_bytes(b"other")
    assert artifacts.check(tmp_path, "h", made.digests()) == ("missing", None)


def test_leftovers_of_a_killed_run_are_removed(tmp_path: Path) -> None:
    made = artifacts.HostArtifacts.from_user_data(b"#cloud-config\n")
    artifacts.write(tmp_path, "h", made, secret=True)
    (tmp_path / "hosts" / "h" / ".user-data.abc.tmp").write_bytes(b"part")
    staging = tmp_path / "hosts" / ".g.xyz.tmp"
    staging.mkdir()
    (staging / "user-data").write_bytes(b"part")
    assert artifacts.remove_temp_files(tmp_path) == 2
    assert sorted(p.name for p in (tmp_path / "hosts").iterdir()) == ["h"]
    assert artifacts.check(tmp_path, "h", made.digests())[0] == "ok"
