"""Lint on hostile files: huge numbers, control characters, devices, pipes; one line per finding."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from palette_tailscale.lint.engine import lint_bytes

HUGE = "1" + "0" * 5000


def _permissions_file(value: str) -> str:
    return (
        "#cloud-config\n"
        "write_files:\n"
        "- path: /etc/x\n"
        f"  permissions: {value}\n"
        "  content: x\n"
        "stages:\n"
        "  boot:\n"
        "  - name: x\n"
        "    files:\n"
        "    - path: /etc/y\n"
        f"      permissions: {value}\n"
    )


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "0x" + "f" * 5000, "0" + "7" * 5000])
def test_a_permissions_number_of_thousands_of_digits_is_a_finding(value: str) -> None:
    found = {(p.rule, p.line) for p in lint_bytes(_permissions_file(value).encode(), "f")}
    assert {("PT025", 4), ("PT005", 11)} <= found
    for problem in lint_bytes(_permissions_file(value).encode(), "f"):
        assert len(problem.message) < 300, "a message quotes a huge value whole"


def test_one_such_file_does_not_hide_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text(_permissions_file(HUGE))
    (tmp_path / "b.yaml").write_text("#cloud-config\nstages:\n  netwrok: []\n")
    assert main(["lint", "--format", "parsable", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert {Path(line.split(":")[0]).name for line in out.splitlines()} == {"a.yaml", "b.yaml"}


@pytest.mark.parametrize(
    ("data", "line", "col"),
    [
        (b'#cloud-config\nstages:\n  boot:\n  - name: "a\x01b"\n', 4, 13),
        (b"#cloud-config\nstages:\n  boot:\n  - name: a\x07b\n", 4, 12),
        (b"#cloud-config\n\x1b[31m: red\n", 2, 1),
        (b"#cloud-config\nk: v\x7fw\n", 2, 5),
    ],
    ids=["quoted-soh", "plain-bel", "escape", "del"],
)
@pytest.mark.parametrize("fmt", ["parsable", "github"])
def test_a_control_character_is_one_line_at_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, line: int, col: int, fmt: str
) -> None:
    path = tmp_path / "user-data"
    path.write_bytes(data)
    assert main(["lint", "--format", fmt, "--select", "PT002", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out
    if fmt == "parsable":
        assert out.startswith(f"{path}:{line}:{col}: error PT002 ")
    else:
        assert out.startswith(f"::error file={path},line={line},col={col},title=PT002::")
    assert re.search(r"control character U\+00[0-9A-F]{2}", out) or "#x" in out


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_is_unreadable_input(capsys: pytest.CaptureFixture[str], device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    assert main(["lint", device]) == 2
    assert capsys.readouterr().err == (
        f"palette-tailscale: error: {device}: is a character device, not a file\n"
    )


def test_a_file_too_large_to_lint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "user-data"
    with path.open("wb") as fh:
        fh.truncate(3 << 30)  # 3 GiB, sparse
    assert main(["lint", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"palette-tailscale: error: {path}: larger than ")
    assert "Kairos skips files over 1 MiB" in err


def test_a_pipe_is_linted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "user-data"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("w") as fh:
            fh.write("#cloud-config\nstages:\n  netwrok: []\n")

    threading.Thread(target=write, daemon=True).start()
    assert main(["lint", "--format", "parsable", str(fifo)]) == 1
    assert "PT006" in capsys.readouterr().out


def test_a_pipe_inside_a_directory_is_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Found by the adversarial pass: `lint DIR` with a FIFO named *.yaml waited for a writer.
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "user-data").write_text("#cloud-config\nstages:\n  netwrok: []\n")
    assert main(["lint", "--format", "parsable", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "PT006" in out and "pipe.yaml" not in out


def test_a_directory_search_is_bounded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `lint /` walked the whole system (and /proc) until it was killed.
    from palette_tailscale.lint import sources

    monkeypatch.setattr(sources, "MAX_WALK", 50)
    for i in range(60):
        (tmp_path / f"f{i}.txt").write_text("x")
    assert main(["lint", str(tmp_path)]) == 2
    assert "more than 50 entries below it" in capsys.readouterr().err
