"""yaml.v3 semantics and positions (reference/kairos-cloud-config.md §5.1)."""

from __future__ import annotations

import contextlib
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palette_tailscale import yamlio
from palette_tailscale.errors import YamlError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v: 0644", 420),
        ("v: 644", 644),
        ("v: 0o644", 420),
        ("v: '0644'", "0644"),
        ('v: "0644"', "0644"),
        ("v: 0x1F", 31),
        ("v: 1_000", 1000),
        ("v: yes", "yes"),
        ("v: on", "on"),
        ("v: true", True),
        ("v: False", False),
        ("v: ~", None),
        ("v:", None),
        ("v: ####", None),
        ("v: 1.5", 1.5),
        ("v: 12345677788", 12345677788),
        ("v: 95135", 95135),
        ("v: 08", 8.0),
        ("v: tag:edge", "tag:edge"),
    ],
)
def test_scalars_resolve_as_yaml_v3(text: str, expected: object) -> None:
    root = yamlio.load(text).root
    assert isinstance(root, yamlio.Map)
    assert yamlio.to_python(root)["v"] == expected


def test_int_field_semantics() -> None:
    root = yamlio.load("a: 0644\nb: '0644'\nc: 644\n").root
    assert isinstance(root, yamlio.Map)
    values = {k.raw: v for k, v in root.items()}
    assert isinstance(values["a"], yamlio.Scalar) and values["a"].as_int() == 0o644
    assert isinstance(values["b"], yamlio.Scalar) and values["b"].as_int() is None
    assert isinstance(values["c"], yamlio.Scalar) and values["c"].as_int() == 644
    assert values["a"].as_str() == "0644"


def test_positions_are_one_based() -> None:
    root = yamlio.load("#cloud-config\nstages:\n  boot:\n    - name: x\n").root
    assert isinstance(root, yamlio.Map)
    stages = root.get("stages")
    assert isinstance(stages, yamlio.Map)
    boot = stages.get("boot")
    assert isinstance(boot, yamlio.Seq)
    assert (boot.items[0].mark.line, boot.items[0].mark.col) == (4, 7)


def test_parse_error_has_position() -> None:
    with pytest.raises(YamlError) as info:
        yamlio.load("a: [1, 2\nb: c\n", "f.yaml")
    assert info.value.mark is not None and info.value.mark.path == "f.yaml"
    assert str(info.value).startswith("f.yaml:")


def test_duplicate_keys_are_an_error() -> None:
    with pytest.raises(YamlError, match="duplicate key 'a'") as info:
        yamlio.load("a: 1\nb: 2\na: 3\n", "d.yaml")
    assert info.value.mark == yamlio.Mark("d.yaml", 3, 1)


def test_extra_documents_are_counted_not_read() -> None:
    doc = yamlio.load("a: 1\n---\nb: 2\n")
    assert yamlio.to_python(doc.root) == {"a": 1}
    assert doc.extra_documents == 1


# Numbers at and past the edge of 64 bits, as gopkg.in/yaml.v3 reads them (each checked with
# tests/yamlv3's reader; test_yamlio_emitter compares them with it where Go is installed).
ZEROS = "0" * 70
EDGE_NUMBERS = [
    ("1e999", "1e999"),  # ParseFloat fails (out of range): yaml.v3 keeps the text
    ("-1e999", "-1e999"),
    (ZEROS + "644", 420),  # leading zeros are no reason to refuse a number
    ("0x" + ZEROS + "ff", 255),
    ("0b" + ZEROS + "1", 1),
    ("0" + ZEROS, 0),
    ("18446744073709551615", 18446744073709551615),  # ParseUint's largest
    ("18446744073709551616", 1.8446744073709552e19),  # then a float
    ("-9223372036854775808", -9223372036854775808),
    ("-9223372036854775809", -9.223372036854776e18),
    ("0o7777777777777777777777", "0o7777777777777777777777"),  # 2^66 - 1: text
    ("9" * 5000, "9" * 5000),  # never handed to int(), which refuses 4,301 digits
    ("0x" + "f" * 5000, "0x" + "f" * 5000),
]


@pytest.mark.parametrize(("raw", "expected"), EDGE_NUMBERS, ids=lambda v: str(v)[:24])
def test_numbers_at_the_edge_of_64_bits(raw: str, expected: object) -> None:
    assert yamlio.resolve_v3(raw) == expected


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('a: "\\ud800"\n', (1, 4)),
        ('b: 1\na: "x\\ud83d\\ude00"\n', (2, 4)),
        ('"\\udc00": 1\n', (1, 1)),
    ],
)
def test_a_surrogate_escape_is_refused_as_yaml_v3_refuses_it(
    text: str, where: tuple[int, int]
) -> None:
    # yaml.v3: "found invalid Unicode character escape code", even for a pair written as two
    # \u escapes. Found by the adversarial pass: a config's project "\ud800" was rendered into
    # user-data that yip could not read at all.
    with pytest.raises(YamlError, match=r"U\+D[89A-F][0-9A-F]{2} is half of a UTF-16") as info:
        yamlio.load(text, "s.yaml")
    assert info.value.mark == yamlio.Mark("s.yaml", *where)


def test_surrogate_text_in_single_quotes_is_just_text() -> None:
    assert yamlio.to_python(yamlio.load("a: '\\ud800'\n").root) == {"a": "\\ud800"}
    assert yamlio.to_python(yamlio.load('a: "\\U0001F600"\n').root) == {"a": "\U0001f600"}


def test_nan_and_inf() -> None:
    data = yamlio.to_python(yamlio.load("a: .inf\nb: .nan\n").root)
    assert data["a"] == math.inf and math.isnan(data["b"])


def test_dump_is_deterministic_and_reads_back() -> None:
    data = {
        "stylus": {"site": {"projectUid": "12345677788", "name": "edge-1", "zip": "095135"}},
        "flags": ["yes", "no", "on", "off", "y", "null", "~", "1.0", "0o644", "1:20"],
        "mode": yamlio.Octal(0o600),
        "script": "#!/bin/sh\nset -eu\n  indented\n",
        "tricky": "a: b # c",
        "empty": "",
    }
    text = yamlio.dump(data, header="#cloud-config\n")
    assert text == yamlio.dump(data, header="#cloud-config\n")
    back = yamlio.to_python(yamlio.load(text).root)
    assert back["mode"] == 0o600
    assert "permissions" not in text and "mode: 0600" in text
    expected = {k: v for k, v in data.items() if k != "mode"}
    assert {k: v for k, v in back.items() if k != "mode"} == expected


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(_text.filter(bool), st.one_of(_text, st.lists(_text, max_size=3)), max_size=5)
)
def test_dump_round_trips_any_strings(data: dict[str, object]) -> None:
    text = yamlio.dump(data)
    assert yamlio.to_python(yamlio.load(text).root) == (data or None)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_load_never_raises_anything_but_yaml_error(text: str) -> None:
    with contextlib.suppress(YamlError):
        yamlio.load(text)


# Merge keys, as gopkg.in/yaml.v3 3.0.1 decodes them (decode.go `merge`): the mapping's own keys
# win, then each merged mapping in order; checked against yaml.v3 itself when written.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &a {x: 1, y: 2}\nb:\n  <<: *a\n  y: 3\n", {"x": 1, "y": 3}),
        ("a: &a {x: 1, y: 2}\nb:\n  y: 2\n  <<: *a\n  x: 5\n", {"x": 5, "y": 2}),
        ("a: &a {x: 1}\nc: &c {x: 2, z: 2}\nb:\n  <<: [*a, *c]\n", {"x": 1, "z": 2}),
        ("a: &a {x: 1}\nc: &c {<<: *a, y: 2}\nb: {<<: *c}\n", {"x": 1, "y": 2}),
        ("b:\n  <<: {x: 1}\n  x: 2\n", {"x": 2}),
        ("a: &a {x: {p: 1}}\nb:\n  <<: *a\n  x: {q: 2}\n", {"x": {"q": 2}}),
        ("a: &a {x: 1}\nb:\n  !!merge <<: *a\n", {"x": 1}),
        ('b: {"<<": 1}\n', {"<<": 1}),  # a quoted << is an ordinary key
    ],
)
def test_merge_keys_resolve_as_yaml_v3(text: str, expected: object) -> None:
    assert yamlio.to_python(yamlio.load(text).root)["b"] == expected


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("a: &a [1]\nb:\n  <<: *a\n", (1, 8), "needs a mapping or a list of mappings"),
        ("b:\n  <<: 1\n", (2, 7), "needs a mapping or a list of mappings"),
        ("a: &a {x: 1}\nb:\n  <<: [*a, 1]\n", (3, 12), "needs a mapping or a list of mappings"),
        ("a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n", (4, 3), "duplicate key '<<' (first at line 3)"),
    ],
)
def test_bad_merge_keys_are_errors_as_in_yaml_v3(
    text: str, where: tuple[int, int], message: str
) -> None:
    with pytest.raises(YamlError, match=re.escape(message)) as caught:
        yamlio.load(text)
    assert caught.value.mark is not None
    assert (caught.value.mark.line, caught.value.mark.col) == where


def test_merged_pairs_keep_the_positions_of_the_anchored_text() -> None:
    text = "stages:\n  a:\n    - &s\n      name: x\n      if: 'true'\n  b:\n    - <<: *s\n"
    stages = yamlio.load(text).root
    assert isinstance(stages, yamlio.Map)
    merged = stages.get("stages").get("b").items[0]  # type: ignore[union-attr]
    assert isinstance(merged, yamlio.Map)
    assert (merged.mark.line, merged.mark.col) == (7, 7)  # the mapping holding <<
    assert [(k.raw, k.mark.line) for k, _ in merged.items()] == [("name", 4), ("if", 5)]


def test_merge_keys_cannot_explode() -> None:
    keys = "".join(f"  k{i}: {i}\n" for i in range(2000))
    text = "a: &a\n" + keys + "b:\n" + "".join("  - <<: *a\n" for _ in range(200))
    with pytest.raises(YamlError, match="excessive aliasing"):
        yamlio.load(text)
