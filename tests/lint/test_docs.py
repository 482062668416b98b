"""Every rule documents itself, and every documented example does what it says."""

from __future__ import annotations

import pytest

from palette_tailscale.lint import lint_text
from palette_tailscale.lint.registry import Rule, all_rules

RULES = all_rules()
EXAMPLES = [(rule, ex) for rule in RULES for ex in rule.examples]
# PT038's failing example is a file over 1 MiB; test_bad_input builds one.
NO_BAD_EXAMPLE = {"PT038"}


def test_rule_ids_levels_and_the_issue_table() -> None:
    table = {r.id: r.level for r in RULES}
    assert {
        k: table[k] for k in ("PT001", "PT002", "PT003", "PT004", "PT005", "PT006")
    } == dict.fromkeys(("PT001", "PT002", "PT003", "PT004", "PT005", "PT006"), "error")
    assert [table[f"PT0{n}"] for n in range(10, 24)] == [
        "error", "warning", "warning", "warning", "warning", "warning", "warning",
        "info", "error", "info", "warning", "warning", "error", "warning",
    ]  # fmt: skip
    assert [table[f"PT0{n}"] for n in range(40, 45)] == [
        "warning", "error", "warning", "warning", "error",
    ]  # fmt: skip
    assert len(RULES) == len(table) == 41


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_explain_cites_the_source_the_rule_relies_on(rule: Rule) -> None:
    text = rule.explain()
    assert "\n\nSource: " in text
    source = text.split("\nSource: ", 1)[1].split("\n\n", 1)[0]
    assert text.index("\nSource: ") < text.index("\nGood")  # prose, source, then examples
    if rule.id >= "PT040":  # what yip drops: cited from yip's or Kairos's own code
        assert "mudler/yip" in source or "kairos-io/kairos" in source


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_each_rule_has_documentation_and_examples(rule: Rule) -> None:
    assert rule.summary and len(rule.doc.split("\n\n")) >= 2
    kinds = {ex.failing for ex in rule.examples}
    assert kinds == ({False} if rule.id in NO_BAD_EXAMPLE else {True, False})


@pytest.mark.parametrize(
    ("rule", "example"),
    EXAMPLES,
    ids=[f"{r.id}-{'bad' if e.failing else 'good'}" for r, e in EXAMPLES],
)
def test_documented_example(rule: Rule, example: object) -> None:
    from palette_tailscale.lint.registry import Example

    assert isinstance(example, Example)
    problems = lint_text(example.text, "example.yaml", kind=example.kind)
    rules = {p.rule for p in problems}
    if example.failing:
        assert rule.id in rules
    else:
        assert rule.id not in rules
        assert [p for p in problems if p.level == "error"] == []  # good examples are good


def test_explain_shows_level_summary_and_docstring() -> None:
    rule = next(r for r in RULES if r.id == "PT005")
    text = rule.explain()
    assert text.startswith("PT005 (error): file permissions that are surely wrong")
    assert "Bad::" in text and "Good::" in text and "permissions: 644" in text
