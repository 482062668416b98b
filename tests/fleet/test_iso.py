"""The cidata ISO: byte-identical to pycdlib's own image, readable by xorriso and isoinfo."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palette_tailscale.fleet.iso import BLOCK, build_iso, build_iso_pycdlib

from ..conftest import require_tool

USER_DATA = b"#cloud-config\nstylus:\n  site:\n    name: edge-1\n"
SIZES = [1, 2, 100, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK, 70_000]


def _data(size: int) -> bytes:
    return bytes((i * 31 + 7) % 251 for i in range(size))


@pytest.mark.parametrize("size", [0, *SIZES])
def test_fast_path_equals_pycdlib(size: int) -> None:
    data = _data(size)
    assert build_iso(data) == build_iso_pycdlib(data)


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=1, max_size=5000))
def test_fast_path_equals_pycdlib_for_any_content(data: bytes) -> None:
    assert build_iso(data) == build_iso_pycdlib(data)


def test_deterministic_and_block_aligned() -> None:
    first = build_iso(USER_DATA)
    assert first == build_iso(USER_DATA)
    assert len(first) % BLOCK == 0
    assert build_iso(USER_DATA + b"x") != first


def _write(tmp_path: Path, data: bytes) -> Path:
    iso = tmp_path / "host.iso"
    iso.write_bytes(build_iso(data))
    return iso


def _run(*args: str | Path) -> bytes:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True).stdout


def test_isoinfo_reads_volume_joliet_and_rock_ridge(tmp_path: Path) -> None:
    isoinfo = require_tool("isoinfo")
    iso = _write(tmp_path, USER_DATA)
    info = _run(isoinfo, "-d", "-i", iso).decode()
    assert "Volume id: cidata\n" in info
    assert "Joliet with UCS level 3 found" in info
    assert "Rock Ridge signatures version 1 found" in info
    listing = _run(isoinfo, "-R", "-l", "-i", iso).decode()
    assert " meta-data" in listing and " user-data" in listing


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("flag", ["-J", "-R"])
def test_isoinfo_extracts_identical_bytes(tmp_path: Path, size: int, flag: str) -> None:
    isoinfo = require_tool("isoinfo")
    data = _data(size)
    iso = _write(tmp_path, data)
    assert _run(isoinfo, flag, "-x", "/user-data", "-i", iso) == data
    assert _run(isoinfo, flag, "-x", "/meta-data", "-i", iso) == b""


@pytest.mark.parametrize("size", [1, BLOCK, 70_000])
def test_xorriso_lists_and_extracts_identical_files(tmp_path: Path, size: int) -> None:
    xorriso = require_tool("xorriso")
    data = _data(size)
    iso = _write(tmp_path, data)
    found = _run(xorriso, "-indev", iso, "-find", "/", "-type", "f")
    assert found.decode().split() == ["'/meta-data'", "'/user-data'"]
    target = tmp_path / "extracted"
    _run(xorriso, "-osirrox", "on", "-indev", iso, "-extract", "/", target)
    assert (target / "user-data").read_bytes() == data
    assert (target / "meta-data").read_bytes() == b""


def test_xorriso_reports_the_volume_id(tmp_path: Path) -> None:
    xorriso = require_tool("xorriso")
    iso = _write(tmp_path, USER_DATA)
    result = subprocess.run(
        [xorriso, "-indev", str(iso), "-pvd_info"], check=True, capture_output=True, text=True
    )
    assert "Volume Id    : cidata" in result.stdout + result.stderr
