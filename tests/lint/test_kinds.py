"""Kinds of file: which one auto picks, which rules each kind gets, and what --verbose says."""

from __future__ import annotations

from pathlib import Path

import pytest

from palette_tailscale.cli.main import main
from palette_tailscale.lint import lint_text
from palette_tailscale.lint.engine import lint_file
from palette_tailscale.lint.kinds import header_line, yip_cloud_init
from palette_tailscale.lint.registry import all_rules

STEP = "stages:\n  boot:\n    - name: a\n      only_os: ubuntu\n      commands: [x]\n"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("#cloud-config\n" + STEP, "installer"),
        ("# built by CI\n\n#kairos-config\n" + STEP, "installer"),
        ("#cloud-config\nstages:\n  boot:\n    - name: skip-copy-key\n", "site"),
        ("#cloud-config\ninstall: {}\nstages:\n  boot:\n    - name: skip-copy-key\n", "installer"),
        (STEP, "system"),
        ("name: x\n" + STEP, "system"),
        ("install:\n  auto: true\n", "installer"),  # no stages: user-data missing its header
        ("stages:\n  boot: [\n", "system"),  # unparsed: the text says stages:
        ("install: [\n", "installer"),
    ],
)
def test_auto_picks_a_kind_per_file(text: str, kind: str) -> None:
    assert lint_file(text.encode(), "f.yaml").kind == kind


@pytest.mark.parametrize(("text", "line"), [
    ("#cloud-config\n", 1),
    ("\n\n#cloud-config   \n", 3),
    ("a: 1\n#node-config\n", 2),  # the collector accepts it after any line
    (" #cloud-config\n", None),
    ("\ufeff#cloud-config\n", None),
    ("#cloud-config-x\n", None),
])  # fmt: skip
def test_header_line_is_the_collectors(text: str, line: int | None) -> None:
    assert header_line(text) == line


@pytest.mark.parametrize(("text", "expected"), [
    ("#cloud-config\n", True),
    ("# comment\n\n#cloud-config\n", True),
    ("name: x\n#cloud-config\n", False),  # yip stops at the first line that is not a comment
    ("#kairos-config\n", False),  # only the collector knows the other headers
])  # fmt: skip
def test_yip_reads_cloud_init_keys_only_after_its_header(text: str, expected: bool) -> None:
    assert yip_cloud_init(text) is expected


def test_system_files_get_neither_pt001_nor_pt023() -> None:
    assert {p.rule for p in lint_text(STEP, kind="installer")} >= {"PT001", "PT023"}
    assert {p.rule for p in lint_text(STEP, kind="system")} & {"PT001", "PT023"} == set()
    assert {p.rule for p in lint_text(STEP)} & {"PT001", "PT023"} == set()  # auto: system


def test_every_rule_declares_kinds_and_only_the_user_data_ones_skip_system() -> None:
    skipping = {r.id for r in all_rules() if "system" not in r.kinds}
    assert skipping == {"PT001", "PT014", "PT021", "PT023", "PT026"}
    assert all(r.kinds and r.kinds <= {"installer", "site", "system"} for r in all_rules())


def test_cloud_init_keys_of_a_header_less_file_are_not_read() -> None:
    # yip loads it as plain yip YAML: runcmd never runs, so no rule judges its commands...
    text = "stages: {}\nruncmd:\n  - tailscale up\nusers: {name: x}\n"
    rules = [p.rule for p in lint_text(text)]
    # ...and users, a type error for the cloud-init loader, is only ignored here.
    assert rules == ["PT041", "PT041"]
    with_header = [p.rule for p in lint_text("#cloud-config\n" + text, kind="system")]
    assert {"PT010", "PT004"} <= set(with_header)


@pytest.mark.parametrize(
    ("text", "kind", "effect"),
    [
        ("#cloud-config\n", "installer", "yip drops every stage of the file"),
        ("", "system", "yip cannot load the file: none of its steps run, nor those of the other "
                       "files in its directory (such as /oem)"),
    ],
)  # fmt: skip
def test_type_errors_say_what_yip_drops(text: str, kind: str, effect: str) -> None:
    doc = text + "stages:\n  boot:\n    - commands: echo\n"
    (problem,) = lint_text(doc, kind=kind, select=["PT004"])
    assert problem.message == f"stages.boot[0].commands is a scalar, yip expects a list: {effect}"


def test_a_cloud_init_type_error_fails_the_whole_file() -> None:
    (problem,) = lint_text("#cloud-config\nusers:\n  - groups: admin\n", select=["PT004"])
    assert problem.message.endswith("nor those of the other files in its directory (such as /oem)")


def test_verbose_names_the_kind_of_each_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text("#cloud-config\ninstall: {}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(STEP, encoding="utf-8")
    (tmp_path / "c.yaml").write_text("# x\n#cloud-config\nstages:\n  b:\n    - name: skip-copy-k\n")
    code = main(["lint", "--verbose", "--format", "parsable", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 1 and "PT006" in out
    assert err == (
        f"{tmp_path / 'a.yaml'}: installer (header on line 1)\n"
        f"{tmp_path / 'b.yaml'}: system (no header; has stages:, so a file for a stage directory)\n"
        f"{tmp_path / 'c.yaml'}: site (header on line 2; skip-copy- steps and no install section)\n"
    )
    main(["lint", "--kind", "system", "-v", str(tmp_path / "a.yaml")])
    assert capsys.readouterr().err == f"{tmp_path / 'a.yaml'}: system (--kind)\n"
