"""Findings follow what yaml.v3 (the device) makes of each scalar, not what Python loaders do."""

from __future__ import annotations

import pytest

from palette_tailscale import yamlio
from palette_tailscale.errors import YamlError
from palette_tailscale.lint import lint_text

H = "#cloud-config\n"


def _files(perm: str) -> str:
    return (
        H + f"stages:\n  boot:\n    - files:\n        - path: /x\n          permissions: {perm}\n"
    )


@pytest.mark.parametrize(
    ("perm", "as_int", "rules"),
    [
        ("0644", 0o644, []),  # yaml.v3: octal, 420
        ("0o644", 0o644, []),
        ("644", 644, ["PT005"]),  # decimal 644 = 0o1204
        ('"0644"', None, ["PT005"]),  # a string: type error
        ("'0644'", None, ["PT005"]),
        ("420", 420, []),  # the decimal spelling of 0644, deliberate
        ("0x1a4", 0o644, []),
        ("0_644", 0o644, []),
    ],
)
def test_permission_scalars(perm: str, as_int: int | None, rules: list[str]) -> None:
    root = yamlio.load(f"p: {perm}").root
    assert isinstance(root, yamlio.Map)
    node = root.get("p")
    assert isinstance(node, yamlio.Scalar) and node.as_int() == as_int
    assert [p.rule for p in lint_text(_files(perm), select=["PT005"])] == rules


@pytest.mark.parametrize(
    ("value", "rules"),
    [
        ("yes", []),  # a string field keeps the text: not a boolean
        ("on", []),
        ("0644", []),  # kept as the text "0644" in a string field
        ("[a]", ["PT004"]),
        ("{a: b}", ["PT004"]),
    ],
)
def test_string_fields_keep_scalar_text(value: str, rules: list[str]) -> None:
    doc = H + f"stages:\n  boot:\n    - name: {value}\n      environment:\n        A: {value}\n"
    assert sorted({p.rule for p in lint_text(doc, select=["PT004"])}) == rules


@pytest.mark.parametrize(
    ("value", "rules"),
    [
        ("true", []),
        ("False", []),
        ("yes", ["PT026"]),  # works now, breaks after the installer round trip
        ("off", ["PT026"]),
        ('"true"', ["PT004"]),  # a quoted string in a bool field: type error
        ("1", ["PT004"]),
    ],
)
def test_bool_fields(value: str, rules: list[str]) -> None:
    doc = H + f"stages:\n  boot:\n    - users:\n        k:\n          lock_passwd: {value}\n"
    assert [p.rule for p in lint_text(doc, select=["PT004", "PT026"])] == rules


def test_hashes_start_a_comment() -> None:
    root = yamlio.load("password: ####\n").root
    assert isinstance(root, yamlio.Map) and yamlio.to_python(root) == {"password": None}
    (problem,) = lint_text(H + "stylus:\n  password: ####\n", select=["PT021"])
    assert (problem.line, problem.col) == (3, 13)
    assert problem.message == "stylus.password is null: `#` starts a comment; quote the value"


def test_parse_errors_carry_the_context_mark_yaml_v3_reports() -> None:
    with pytest.raises(YamlError) as info:
        yamlio.load('a:\n  - name: "x"\n     b: 1\n', "f.yaml")
    assert info.value.context_mark == yamlio.Mark("f.yaml", 2, 5)
    assert info.value.mark == yamlio.Mark("f.yaml", 3, 6)
    (problem,) = lint_text('#cloud-config\na:\n  - name: "x"\n     b: 1\n', "f.yaml")
    assert (problem.rule, problem.line, problem.col) == ("PT002", 3, 5)
    assert problem.message.endswith("; the parser stopped at line 4, column 6")
