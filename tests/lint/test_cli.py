"""``palette-tailscale lint``: output, options and exit codes, through ``main(argv)``."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from palette_tailscale.lint.registry import all_rules
from palette_tailscale.lint.report import default_format

CLEAN = "#cloud-config\ninstall:\n  poweroff: true\n"
ERROR = "#cloud-config\nstages:\n  netwrok: []\n"
WARNING = "#cloud-config\nstages:\n  boot:\n    - only_arch: amd64\n"
INFO = "#cloud-config\nstages:\n  boot:\n    - commands: [sudo true]\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["lint", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("text", "strict", "code"),
    [
        (CLEAN, False, 0),
        (CLEAN, True, 0),
        (ERROR, False, 1),
        (WARNING, False, 0),
        (WARNING, True, 1),
        (INFO, False, 0),
        (INFO, True, 0),  # info never fails a run
    ],
)
def test_exit_codes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, strict: bool, code: int
) -> None:
    path = write(tmp_path, "user-data", text)
    assert run(capsys, path, *(["--strict"] if strict else []))[0] == code


def test_parsable_is_the_default_when_piped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "user-data", ERROR)
    code, out, err = run(capsys, path)
    assert (code, err) == (1, "")
    message = "unknown stage 'netwrok': it never runs; did you mean 'network'?"
    assert out == f"{path}:3:3: error PT006 {message}\n"


def test_github_is_the_default_under_github_actions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    path = write(tmp_path, "user-data", ERROR)
    out = run(capsys, path)[1]
    assert out.startswith(f"::error file={path},line=3,col=3,title=PT006::unknown stage")


@pytest.mark.parametrize(("isatty", "fmt"), [(True, "text"), (False, "parsable")])
def test_default_format(isatty: bool, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_format(isatty) == fmt
    for value, expected in (("true", "github"), ("1", "github"), ("false", fmt), ("", fmt)):
        monkeypatch.setenv("GITHUB_ACTIONS", value)
        assert default_format(isatty) == expected


def test_text_without_a_terminal_has_no_colour(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "user-data", ERROR)
    out = run(capsys, path, "--format", "text")[1]
    assert out == (
        f"{path}:3:3: error PT006 unknown stage 'netwrok': it never runs; did you mean 'network'?\n"
        "    3 |   netwrok: []\n"
        "      |   ^\n"
        "1 problem (1 error) in 1 file\n"
    )


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ERROR.encode())))
    code, out, _ = run(capsys, "-", "--format", "parsable")
    assert code == 1 and out.startswith("<stdin>:3:3: error PT006 ")


def test_directories_are_searched(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for name in ("site/user-data", "a.yaml", "b.yml", "notes.txt", ".git/x.yaml", ".hidden.yaml"):
        write(tmp_path, name, "stylus: {}\n")  # user-data by its key, without the header
    out = run(capsys, str(tmp_path), "--select", "PT001")[1]
    linted = [line.split(":1:1:")[0] for line in out.splitlines()]
    assert linted == [str(tmp_path / n) for n in ("a.yaml", "b.yml", "site/user-data")]


# What a CanvOS or GitOps repository holds besides user-data.
TOOL_CONFIG = "version: 1\ntailscale:\n  tags: [tag:edge]\nuserdata:\n  extra:\n    stages: {}\n"
MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"


def _repository(tmp_path: Path) -> Path:
    write(tmp_path, "palette-tailscale.yaml", TOOL_CONFIG)
    write(tmp_path, "k8s/configmap.yaml", MANIFEST)
    write(tmp_path, "sites/a.yaml", "#cloud-config\nstages:\n  netwrok: []\n")
    write(tmp_path, "sites/b.yaml", "stylus:\n  site: {}\n")  # no header: PT001
    write(tmp_path, "sites/c.yml", '"users":\n  kairos: {}\n')
    write(tmp_path, "sites/user-data", "x: 1\n")  # named so: always user-data
    return tmp_path


def test_directories_skip_yaml_that_is_not_user_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = _repository(tmp_path)
    code, out, err = run(capsys, str(root), "--select", "PT001,PT006")
    linted = sorted({line.split(":")[0] for line in out.splitlines()})
    assert linted == [str(root / "sites" / n) for n in ("a.yaml", "b.yaml", "c.yml", "user-data")]
    assert (code, err) == (1, "")
    code, out2, err = run(capsys, str(root), "--select", "PT001,PT006", "--verbose")
    assert out2 == out
    skipped = [line for line in err.splitlines() if ": skipped: " in line]
    assert skipped == [
        f"{root / n}: skipped: not user-data (no Kairos header such as #cloud-config, none "
        "of the keys stages, stylus, install, users, write_files)"
        for n in ("palette-tailscale.yaml", "k8s/configmap.yaml")
    ]
    kinds = [line.split(": ", 1)[0] for line in err.splitlines() if ": skipped: " not in line]
    assert kinds == linted  # every linted file says its kind, in the same order


def test_a_file_named_on_the_command_line_is_always_linted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "k8s.yaml", MANIFEST)
    code, out, _ = run(capsys, path)
    assert code == 1 and f"{path}:1:1: error PT001" in out


def test_a_directory_without_user_data_lints_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(tmp_path, "k8s/configmap.yaml", MANIFEST)
    assert run(capsys, str(tmp_path)) == (
        0,
        "",
        "palette-tailscale: nothing to lint: 1 YAML file found, none of them user-data "
        "(--verbose names them)\n",
    )


@pytest.mark.parametrize(
    ("globs", "left"),
    [
        (("sites/a.yaml",), ["b.yaml", "c.yml", "user-data"]),
        (("*/a.yaml", "c.*"), ["b.yaml", "user-data"]),
        (("sites",), []),
        (("user-*",), ["a.yaml", "b.yaml", "c.yml"]),
    ],
)
def test_exclude_drops_files_by_glob(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    globs: tuple[str, ...],
    left: list[str],
) -> None:
    monkeypatch.chdir(_repository(tmp_path))
    args = [arg for glob in globs for arg in ("--exclude", glob)]
    out = run(capsys, ".", "--select", "PT001,PT006", *args)[1]
    assert sorted({line.split(":")[0] for line in out.splitlines()}) == [f"sites/{n}" for n in left]
    explicit = run(capsys, "sites/a.yaml", "sites/b.yaml", *args)[1]
    assert ("sites/a.yaml" in explicit) is ("a.yaml" in left)


def test_exit_zero_and_short_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "user-data", ERROR)
    code, out, _ = run(capsys, path, "-f", "json", "--exit-zero")
    assert code == 0 and '"rule": "PT006"' in out
    assert run(capsys, path, "--strict", "--exit-zero")[0] == 0
    assert run(capsys, str(tmp_path / "missing"), "--exit-zero")[0] == 2


def test_list_rules_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--list-rules", "--format", "json")
    rules = json.loads(out)
    assert code == 0 and [r["id"] for r in rules] == [r.id for r in all_rules()]
    first = all_rules()[0]
    assert rules[0] == {"id": first.id, "level": first.level, "summary": first.summary}
    code, out, err = run(capsys, "--list-rules", "-f", "sarif")
    assert (code, out) == (2, "")
    assert err.endswith("Error: --list-rules prints text or json, not sarif\n")


@pytest.mark.parametrize("fmt", ["text", "parsable", "json", "sarif", "github"])
def test_jobs_give_the_same_output_as_one_process(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    texts = [ERROR, WARNING, INFO, CLEAN, MANIFEST, "#cloud-config\n: [\n", "stages: 1\n"]
    for i in range(70):
        write(tmp_path, f"d{i % 7}/f{i:03d}.yaml", texts[i % len(texts)])
    (tmp_path / "d3" / "bad.yaml").write_bytes(b"#cloud-config\nx: caf\xe9\n")
    one = run(capsys, str(tmp_path), "-f", fmt, "--jobs", "1", "-v")
    many = run(capsys, str(tmp_path), "-f", fmt, "--jobs", "4", "-v")
    assert one == many
    assert one[0] == 1 and one[1].count("PT006") >= 10 and "skipped" in one[2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml"], "palette-tailscale: error: missing.yaml: no such file or directory\n"),
        (["--explain", "PT999"], "palette-tailscale: error: unknown rule 'PT999' "),
    ],
)
def test_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert err.startswith(message)


def test_empty_directory_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, str(tmp_path))
    assert code == 2
    message = "no user-data or *.yaml/*.yml files in this directory"
    assert err == f"palette-tailscale: error: {tmp_path}: {message}\n"


def test_nothing_is_linted_when_one_path_is_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "user-data", ERROR)
    code, out, _ = run(capsys, path, str(tmp_path / "nope"))
    assert (code, out) == (2, "")


@pytest.mark.parametrize(
    "args", [["--select", "PT999"], ["--ignore", "PT001,XX"], ["--format", "xml"], ["--kind", "x"]]
)
def test_bad_usage_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str]
) -> None:
    path = write(tmp_path, "user-data", CLEAN)
    code, out, err = run(capsys, path, *args)
    assert (code, out) == (2, "")
    assert "Invalid value" in err


def test_invalid_utf8_is_a_finding(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "user-data"
    path.write_bytes(b"#cloud-config\nname: caf\xe9\n")
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert out == (
        f"{path}:2:10: error PT002 not UTF-8 text: byte 0xe9 cannot be decoded; "
        "Kairos reads UTF-8 only\n"
    )


def test_select_and_ignore_take_comma_lists_and_repeat(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(
        tmp_path, "user-data", "stages:\n  netwrk:\n    - sudo: x\n      commands: [sudo a]\n"
    )
    rules = lambda out: [line.split()[2] for line in out.splitlines()]  # noqa: E731
    installer = ("--kind", "installer")  # header-less with stages: would be a system file
    assert rules(run(capsys, path, *installer)[1]) == ["PT001", "PT006", "PT003", "PT017"]
    assert rules(
        run(capsys, path, *installer, "--select", "pt001,PT003", "--select", "PT017")[1]
    ) == ["PT001", "PT003", "PT017"]
    assert rules(
        run(capsys, path, *installer, "--ignore", "PT001", "--ignore", "PT003,PT006")[1]
    ) == ["PT017"]


def test_kind_changes_what_applies(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = "#cloud-config\nstages:\n  initramfs:\n    - systemctl:\n        enable: [tailscaled]\n"
    path = write(tmp_path, "user-data", text)
    assert "PT014" in run(capsys, path, "--kind", "installer")[1]
    assert "PT014" not in run(capsys, path, "--kind", "site")[1]


def test_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--list-rules")
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(all_rules())
    assert lines[0] == (
        "PT001  error    no #cloud-config header in the first ten lines (Kairos skips the file)"
    )
    assert "PT017  info     sudo in stage commands (stages run as root)" in lines


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--explain", "pt015")
    rule = next(r for r in all_rules() if r.id == "PT015")
    assert (code, out) == (0, rule.explain())
    assert out.startswith(
        "PT015 (warning): tailscale up without --hostname\nKinds: installer, site, system\n\n"
    )


SUPPRESSED = [
    ("    - commands: [sudo a]  # palette-tailscale: disable=PT017\n", []),
    ("    - commands: [sudo a]  # palette-tailscale: disable=PT003, PT017\n", []),
    ("    - commands: [sudo a]  # palette-tailscale: disable\n", []),
    ("    - commands: [sudo a]  # palette-tailscale: disable=PT003\n", ["PT017"]),
    ("    # palette-tailscale: disable=PT017\n    - commands: [sudo a]\n", ["PT017"]),
    ("    - commands:\n        - |  # palette-tailscale: disable=PT017\n          sudo a\n", []),
]


@pytest.mark.parametrize(("body", "left"), SUPPRESSED)
def test_line_suppression(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, body: str, left: list[str]
) -> None:
    path = write(tmp_path, "user-data", "#cloud-config\nstages:\n  boot:\n" + body)
    out = run(capsys, path)[1]
    assert [line.split()[2] for line in out.splitlines()] == left


@pytest.mark.parametrize(
    ("directive", "left"),
    [
        ("# palette-tailscale: disable-file\n", []),
        ("# palette-tailscale: disable-file=PT006\n", ["PT017"]),
        ("# palette-tailscale: disable-file=PT006,PT017\n", []),
        ("\n" * 10 + "# palette-tailscale: disable-file\n", ["PT006", "PT017"]),  # not at the top
    ],
)
def test_file_suppression(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, directive: str, left: list[str]
) -> None:
    text = "#cloud-config\n" + directive + "stages:\n  netwrk:\n    - commands: [sudo a]\n"
    path = write(tmp_path, "user-data", text)
    out = run(capsys, path)[1]
    assert [line.split()[2] for line in out.splitlines()] == left


@pytest.mark.parametrize(("no_color", "coloured"), [(False, True), (True, False)])
def test_terminal_output_is_text_coloured_unless_no_color(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_color: bool,
    coloured: bool,
) -> None:
    path = write(tmp_path, "user-data", ERROR)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    out = run(capsys, path)[1]
    assert out.endswith("1 problem (1 error) in 1 file\n")  # the text format
    assert ("\x1b[31merror\x1b[0m" in out) is coloured
    assert ("\x1b[" in out) is coloured
