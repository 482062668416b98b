"""Hostile input gives findings or a clean exit 2, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from palette_tailscale import inputfile
from palette_tailscale.cli.main import main
from palette_tailscale.lint.engine import lint_bytes


def findings(data: bytes) -> list[tuple[str, int, int]]:
    return [(p.rule, p.line, p.col) for p in lint_bytes(data, "f")]


BOMB = "#cloud-config\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(7)
)


CASES = [
    (b"#cloud-config\n\x00\x01\x02\x03", [("PT002", 1, 1)]),  # binary: NUL bytes
    (b"\x89PNG\r\n\x1a\n\x00\x00", [("PT001", 1, 1), ("PT002", 1, 1)]),
    (b"#cloud-config\nk: \xff\xfe\n", [("PT002", 2, 4)]),  # invalid UTF-8
    (b"#cloud-config\n" + b"[" * 300 + b"]" * 300, [("PT002", 2, 202)]),  # deep flow nesting
    (
        b"#cloud-config\n" + b"".join(b"  " * i + b"k:\n" for i in range(400)),
        [("PT002", 202, 401)],
    ),  # deep block nesting
    (b"#cloud-config\nx: &a [*a]\n", [("PT002", 1, 1)]),  # an anchor inside itself
    (BOMB.encode(), [("PT002", 1, 1)]),  # alias bomb
    (b"#cloud-config\n" + b"a: 1\n" * 300_000, [("PT038", 1, 1)]),  # over 1 MiB
    (b"", [("PT001", 1, 1)]),
    (b"\r\n\r\n", [("PT001", 1, 1)]),
    (b"#cloud-config\r\nstages:\r\n  netwrok: []\r\n", [("PT006", 3, 3)]),
]
NAMES = ["nul", "png", "utf8", "flow-depth", "block-depth", "self-alias", "alias-bomb", "huge",
         "empty", "crlf-blank", "crlf"]  # fmt: skip


@pytest.mark.parametrize(("data", "expected"), CASES, ids=NAMES)
def test_hostile_content_is_a_finding(data: bytes, expected: list[tuple[str, int, int]]) -> None:
    assert findings(data) == expected


def test_binary_file_through_the_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "user-data"
    path.write_bytes(bytes(range(256)) * 64)
    assert main(["lint", str(path)]) == 1
    out, err = capsys.readouterr()
    assert err == "" and "Traceback" not in out
    assert [line.split()[1:3] for line in out.splitlines()] == [
        ["error", "PT001"],
        ["error", "PT002"],
    ]


def test_a_directory_of_a_thousand_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for i in range(1000):
        body = "#cloud-config\nstages:\n  netwrok: []\n" if i % 100 == 0 else "#cloud-config\n"
        (tmp_path / f"host-{i:04d}.yaml").write_text(body, encoding="utf-8")
    assert main(["lint", "--format", "parsable", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert [line.split(":")[0] for line in out.splitlines()] == [
        str(tmp_path / f"host-{i:04d}.yaml") for i in range(0, 1000, 100)
    ]


def test_unreadable_file_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "user-data"
    path.write_text("#cloud-config\n", encoding="utf-8")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads any file: make the open fail as it would for a user
        real = inputfile.os.open

        def deny(name: object, *args: object, **kwargs: object) -> int:
            if str(name) == str(path):
                raise PermissionError(13, "Permission denied", str(name))
            return real(name, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(inputfile.os, "open", deny)
    assert main(["lint", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"palette-tailscale: error: {path}: cannot read: Permission denied\n"
    )
