"""What ``yamlio.dump`` writes, byte for byte, and what independent readers make of it.

Reading the output back with ``yamlio.load`` alone proves little: a quoting bug in the emitter
and the same blind spot in our loader cancel out. So the bytes are checked, and every output is
read back by PyYAML (a YAML 1.1 reader: ``yes``, ``on``, ``0644`` and ``1:20`` are not strings
there) and by Go's gopkg.in/yaml.v3 (what Kairos reads user-data with), both without our code.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from palette_tailscale import yamlio
from palette_tailscale.errors import YamlError
from tests.conftest import require_tool

GO_READER = Path(__file__).parent / "yamlv3"

# (value, exact text after "k:") — the words YAML 1.1 turns into booleans, nulls or numbers.
SCALARS: list[tuple[Any, str]] = [
    ("yes", ' "yes"'),
    ("Yes", ' "Yes"'),
    ("YES", ' "YES"'),
    ("no", ' "no"'),
    ("No", ' "No"'),
    ("y", ' "y"'),
    ("n", ' "n"'),
    ("on", ' "on"'),
    ("On", ' "On"'),
    ("off", ' "off"'),
    ("OFF", ' "OFF"'),
    ("true", ' "true"'),
    ("False", ' "False"'),
    ("null", ' "null"'),
    ("~", ' "~"'),
    ("", ' ""'),
    ("0644", ' "0644"'),
    ("0o644", ' "0o644"'),
    ("1:20", ' "1:20"'),
    ("1_000", ' "1_000"'),
    ("1.5", ' "1.5"'),
    (".inf", ' ".inf"'),
    ("-dash", ' "-dash"'),
    ("a: b", ' "a: b"'),
    ("a #b", ' "a #b"'),
    ("ends:", ' "ends:"'),
    ("[x]", ' "[x]"'),
    (" padded", ' " padded"'),
    ("trailing ", ' "trailing "'),
    ("none", ' "none"'),
    ("None", ' "None"'),
    ("NONE", ' "NONE"'),
    ("Xmas", " Xmas"),
    ("tag:edge", " tag:edge"),
    ("edge-0042", " edge-0042"),
    ("/usr/local/bin/x", " /usr/local/bin/x"),
    ("yesterday", " yesterday"),
    ("note", " note"),
    (True, " true"),
    (False, " false"),
    (None, " null"),
    (420, " 420"),
    (yamlio.Octal(0o600), " 0600"),
    (yamlio.Octal(0), " 0"),
    (1.5, " 1.5"),
    ({}, " {}"),
    ([], " []"),
]


@pytest.mark.parametrize(("value", "text"), SCALARS, ids=[repr(v) for v, _ in SCALARS])
def test_scalar_bytes(value: Any, text: str) -> None:
    assert yamlio.dump({"k": value}) == f"k:{text}\n"


def test_block_bytes() -> None:
    data = {
        "script": "#!/bin/sh\nset -eu\necho hi\n",
        "no_newline": "one\ntwo",
        "indented": "  lead\nnext\n",
        "blank_line": "a\n\nb\n",
        "trailing_space": "a \nb\n",
        "carriage": "a\r\nb\n",
        "nested": {"list": [{"name": "x", "files": []}, "plain", {}], "map": {"inner": {}}},
        "matrix": [["a", "b"], [], [["c"]]],
    }
    assert yamlio.dump(data, header="#cloud-config\n") == (
        "#cloud-config\n"
        "script: |\n"
        "  #!/bin/sh\n"
        "  set -eu\n"
        "  echo hi\n"
        "no_newline: |-\n"
        "  one\n"
        "  two\n"
        "indented: |2\n"
        "    lead\n"
        "  next\n"
        "blank_line: |\n"
        "  a\n"
        "\n"
        "  b\n"
        'trailing_space: "a \\nb\\n"\n'
        'carriage: "a\\r\\nb\\n"\n'
        "nested:\n"
        "  list:\n"
        "  - name: x\n"
        "    files: []\n"
        "  - plain\n"
        "  - {}\n"
        "  map:\n"
        "    inner: {}\n"
        "matrix:\n"
        "-\n"
        "  - a\n"
        "  - b\n"
        "- []\n"
        "-\n"
        "  -\n"
        "    - c\n"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("ends in X\nX\n", "k: |\n  ends in X\n  X\n"),  # only blanks end a line badly
        ("tab\t\nx\n", 'k: "tab\\t\\nx\\n"\n'),
        ("a\n\n", 'k: "a\\n\\n"\n'),  # a block would drop the last newline
        ("a\n\n\n", 'k: "a\\n\\n\\n"\n'),
        ("\na\n", 'k: "\\na\\n"\n'),  # nor start with an empty line
        ("\n\n", 'k: "\\n\\n"\n'),
        ("a\n", "k: |\n  a\n"),
    ],
)
def test_block_or_quoted(value: str, text: str) -> None:
    assert yamlio.dump({"k": value}) == text
    assert yaml.safe_load(text) == {"k": value}


def test_blocks_in_sequences_sit_two_columns_in() -> None:
    data = {"k": ["one\ntwo\n", "x", "three\nfour", 7, [["a\nb\n"]]]}
    text = yamlio.dump(data)
    assert text == (
        "k:\n"
        "- |\n"
        "  one\n"
        "  two\n"
        "- x\n"
        "- |-\n"
        "  three\n"
        "  four\n"
        "- 7\n"
        "-\n"
        "  -\n"
        "    - |\n"
        "      a\n"
        "      b\n"
    )
    assert yaml.safe_load(text) == data


def test_an_unsupported_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^cannot write set as YAML$"):
        yamlio.dump({"k": {1, 2}})
    with pytest.raises(TypeError, match=r"^cannot write object as YAML$"):
        yamlio.dump({"k": [object()]})


def test_raw_text_is_written_verbatim() -> None:
    # The caller vouches for it: "0644" quoted would be a string, Raw("0644") is the YAML 0644.
    assert yamlio.dump({"k": yamlio.Raw("0644")}) == "k: 0644\n"


ROUND_TRIP: dict[str, Any] = {
    **{f"s{i}": value for i, (value, _) in enumerate(SCALARS) if not isinstance(value, float)},
    "script": "#!/bin/sh\nset -eu\n  indented\n",
    "no_newline": "one\ntwo",
    "indented": "  lead\nnext\n",
    "nested": {"list": [{"name": "x", "files": []}, "plain", {}, ["yes", "0644"]]},
    "unicode": "caf\u00e9 \u2028 \x85 \ufeff",
    "control": "bell\x07",
}


def _plain(value: Any) -> Any:
    """The data as an independent reader should return it (Octal is just an int)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return int(value) if isinstance(value, yamlio.Octal) else value


def test_a_yaml_1_1_reader_reads_the_same_data() -> None:
    text = yamlio.dump(ROUND_TRIP)
    assert yaml.safe_load(text) == _plain(ROUND_TRIP)


@pytest.fixture(scope="module")
def yaml_v3() -> Path:
    """The Go reader, built once per version of its sources and kept outside the repository."""
    go = require_tool("go")
    sources = [GO_READER / name for name in ("go.mod", "go.sum", "main.go")]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    reader = cache / "palette-tailscale-tests" / f"yamlv3-{digest}"
    if reader.exists():
        return reader
    with tempfile.TemporaryDirectory() as build:
        for source in sources:
            shutil.copy(source, Path(build) / source.name)
        subprocess.run([go, "build", "-o", "reader", "."], cwd=build, check=True, timeout=600)
        reader.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(Path(build) / "reader", f"{reader}.{os.getpid()}")
        os.replace(f"{reader}.{os.getpid()}", reader)  # parallel runs: the last rename wins
    return reader


def _go_read(reader: Path, text: str) -> Any:
    done = subprocess.run(
        [str(reader)], input=text, capture_output=True, text=True, check=True, timeout=60
    )
    return _go_floats(json.loads(done.stdout))


def _go_floats(value: Any) -> Any:
    """The reader prints floats as {"!float": "..."} (JSON has no NaN or infinity)."""
    if isinstance(value, dict):
        if set(value) == {"!float"}:
            return float(value["!float"])
        return {k: _go_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_go_floats(v) for v in value]
    return value


def test_go_yaml_v3_reads_the_same_data(yaml_v3: Path) -> None:
    text = yamlio.dump(ROUND_TRIP, header="#cloud-config\n")
    assert _go_read(yaml_v3, text) == json.loads(json.dumps(_plain(ROUND_TRIP)))


# Plain scalars whose meaning differs between YAML readers: nulls, booleans, numbers in every
# base and at the 64-bit edges, floats, and strings that look like numbers.
PLAIN = [
    "~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "tRUE", "false", "False",
    "FALSE", "yes", "Yes", "no", "on", "off", "y", "n", ".inf", ".Inf", ".INF", "+.inf",
    "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", ".nAn", "inf", "nan",
    "0", "00", "07", "08", "0644", "644", "+644", "-644", "-0", "0o17", "0O17", "0o8", "0x1F",
    "0X1f", "-0x1F", "+0x1f", "0b101", "0B11", "-0b1", "0b2", "0x", "0o", "0b", "1_000", "0_7",
    "0x_1F", "1__0", "_1", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "18446744073709551615", "18446744073709551616", "1.5", ".5", "5.",
    "-1.5", "+1.5", "1e3", "1E+3", "1e-3", "-.5e2", "1.5e", "1_0.5", "0.1_0", "+.5", "-.e1",
    "1:20", "12:30:45", "0.0.1", "1.2.3", "abc", "-abc", "+abc", ".abc", "1a", "0xG1",
    "tag:edge",
]  # fmt: skip


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def test_load_resolves_plain_scalars_as_go_yaml_v3_does(yaml_v3: Path) -> None:
    text = "".join(f"k{i}: {value}\n" for i, value in enumerate(PLAIN)) + "empty:\n"
    go = _go_read(yaml_v3, text)
    ours = yamlio.to_python(yamlio.load(text).root)
    differ = [(PLAIN[i], ours[f"k{i}"], go[f"k{i}"]) for i in range(len(PLAIN))]
    assert [d for d in differ if not _same(d[1], d[2])] == []
    assert go["empty"] is None and ours["empty"] is None


def test_dump_quotes_every_look_alike_for_both_readers(yaml_v3: Path) -> None:
    data = {f"k{i}": value for i, value in enumerate(PLAIN)}
    text = yamlio.dump(data)
    assert _go_read(yaml_v3, text) == data
    assert yaml.safe_load(text) == data
    assert yamlio.to_python(yamlio.load(text).root) == data


# --- load: positions and limits --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ("a: [1, 2\nb: c\n", 2, 2),
        ("a: 1\n b: 2\n", 2, 3),
        ("key: 'open\n", 2, 1),
        ("a:\n  - x\n  y: 1\n", 3, 3),
    ],
)
def test_parse_error_points_at_the_line_and_column(text: str, line: int, col: int) -> None:
    with pytest.raises(YamlError) as info:
        yamlio.load(text, "f.yaml")
    assert info.value.mark == yamlio.Mark("f.yaml", line, col)


def test_parse_error_keeps_the_context_position() -> None:
    with pytest.raises(YamlError) as info:
        yamlio.load("a: [1, 2\nb: c\n", "f.yaml")
    assert info.value.context_mark == yamlio.Mark("f.yaml", 1, 4)
    assert str(info.value) == (
        "f.yaml:2:2: invalid YAML: expected ',' or ']', but got ':' (while parsing a flow sequence)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\n b: 2\n", "f.yaml:2:3: invalid YAML: mapping values are not allowed here"),
        (
            "a: \x07",
            "f.yaml:1:4: invalid YAML: control character U+0007 is not allowed here; inside "
            "double quotes write it as \\x07",
        ),
        ("[" * 3000, "f.yaml:1:1: YAML nested too deeply"),
        ("<<: {a: 1}\n<<: {b: 2}\n", "f.yaml:2:1: duplicate key '<<' (first at line 1); "
         "yaml.v3 rejects the file"),
    ],
)  # fmt: skip
def test_error_messages(text: str, message: str) -> None:
    with pytest.raises(YamlError) as info:
        yamlio.load(text, "f.yaml")
    assert str(info.value) == message


# yaml.v3's isMerge: a `<<` key that is plain or tagged !!merge merges; a quoted one, or one
# tagged otherwise, is the string "<<"; another key tagged !!merge is an ordinary key.
MERGE_KEYS: list[tuple[str, dict[str, Any]]] = [
    ('"<<": {a: 1}\nb: 2\n', {"<<": {"a": 1}, "b": 2}),
    ("'<<': {a: 1}\nb: 2\n", {"<<": {"a": 1}, "b": 2}),
    ("!!str <<: {a: 1}\nb: 2\n", {"<<": {"a": 1}, "b": 2}),
    ("!!merge <<: {a: 1}\nb: 2\n", {"a": 1, "b": 2}),
    ("! <<: {a: 1}\nb: 2\n", {"a": 1, "b": 2}),
    ("<<: {a: 1}\nb: 2\n", {"a": 1, "b": 2}),
    ("!!merge x: {a: 1}\nb: 2\n", {"x": {"a": 1}, "b": 2}),
]


@pytest.mark.parametrize(("text", "data"), MERGE_KEYS)
def test_which_keys_merge(text: str, data: dict[str, Any]) -> None:
    assert yamlio.to_python(yamlio.load(text).root) == data


def test_which_keys_merge_as_yaml_v3_tells(yaml_v3: Path) -> None:
    for text, data in MERGE_KEYS:
        assert _go_read(yaml_v3, text) == data, text


def test_a_repeated_merge_key_is_refused_by_yaml_v3_too(yaml_v3: Path) -> None:
    done = subprocess.run(
        [str(yaml_v3)], input="<<: {a: 1}\n<<: {b: 2}\n", capture_output=True, text=True
    )
    assert done.returncode == 1 and 'mapping key "<<" already defined' in done.stderr
    merged = yamlio.load("base: &b {a: 1}\nx:\n  <<: *b\n  a: 2\n").root  # one merge is fine
    assert yamlio.to_python(merged)["x"] == {"a": 2}  # merged, the explicit key wins


def _nested_keys(levels: int) -> str:
    text = "a"
    for _ in range(levels):
        text = "{" + text + ": 1}"
    return text


def _nested_values(levels: int) -> str:
    text = "a"
    for _ in range(levels):
        text = "{k: " + text + "}"
    return text


@pytest.mark.parametrize("nest", [_nested_keys, _nested_values])
def test_nesting_through_mapping_keys_and_values(nest: Any) -> None:
    yamlio.load(nest(yamlio.MAX_DEPTH))  # the scalar at depth MAX_DEPTH
    with pytest.raises(YamlError, match="nested deeper than 200 levels"):
        yamlio.load(nest(yamlio.MAX_DEPTH + 1))


def test_aliases_are_the_same_node() -> None:
    root = yamlio.load("b: &y {k: 1}\nc: *y\n").root
    assert isinstance(root, yamlio.Map)
    assert root.get("b") is root.get("c")


def test_an_anchor_inside_itself_is_refused_as_yaml_v3_refuses_it() -> None:
    # A recursive node would send every reader of the tree round for ever.
    with pytest.raises(YamlError, match="an anchor contains an alias to itself"):
        yamlio.load("a: &x [1, *x]\n")


def test_a_nul_byte_is_refused_before_parsing() -> None:
    with pytest.raises(YamlError) as info:
        yamlio.load("a: 1\nb: \x00\n", "f.yaml")
    assert str(info.value) == "f.yaml:1:1: file contains a NUL byte; is it binary?"


def test_text_without_a_path_is_named_string() -> None:
    with pytest.raises(YamlError) as info:
        yamlio.load("a: [1")
    assert info.value.mark is not None and info.value.mark.path == "<string>"
    assert yamlio.load("a: 1").path == "<string>"


def test_nesting_depth_is_limited_through_keys_as_well() -> None:
    deep = "[" * (yamlio.MAX_DEPTH + 5) + "]" * (yamlio.MAX_DEPTH + 5)
    with pytest.raises(YamlError) as info:
        yamlio.load(f"? {deep}\n: x\n", "f.yaml")
    assert str(info.value) == "f.yaml:1:203: YAML nested deeper than 200 levels"
    with pytest.raises(YamlError, match="nested deeper than 200 levels"):
        yamlio.load(f"k: {deep}\n")


def test_nesting_up_to_the_limit_loads() -> None:
    depth = yamlio.MAX_DEPTH + 1  # the root at depth 0, the innermost at MAX_DEPTH
    node = yamlio.load("[" * depth + "]" * depth).root
    for _ in range(depth - 1):
        assert isinstance(node, yamlio.Seq)
        node = node.items[0]
    assert isinstance(node, yamlio.Seq) and node.items == []
    with pytest.raises(YamlError):
        yamlio.load("[" * (depth + 1) + "]" * (depth + 1))


@pytest.mark.parametrize(
    ("text", "line"), [("<<: {m: 1}\na: 1\na: 2\n", 2), ("? [k]\n: 1\na: 1\na: 2\n", 3)]
)
def test_duplicates_are_found_after_merge_and_complex_keys(text: str, line: int) -> None:
    with pytest.raises(YamlError) as info:
        yamlio.load(text, "d.yaml")
    assert str(info.value) == (
        f"d.yaml:{line + 1}:1: duplicate key 'a' (first at line {line}); yaml.v3 rejects the file"
    )


def test_keys_in_plain_data() -> None:
    text = "2: int\n~: nothing\ntrue: bool\n.inf: float\n[a, 1]: seq\n{b: 1, a: 2}: map\ns: str\n"
    assert yamlio.to_python(yamlio.load(text).root) == {
        2: "int",
        None: "nothing",
        True: "bool",
        ".inf": "float",
        '["a", 1]': "seq",
        '{"a": 2, "b": 1}': "map",
        "s": "str",
    }


def test_walk_gives_every_node_with_its_path() -> None:
    assert list(yamlio.walk(None)) == []
    root = yamlio.load("a: [x, {b: y}]\n").root
    paths = [(path, type(node).__name__) for path, node in yamlio.walk(root)]
    assert paths == [
        ((), "Map"),
        (("a",), "Seq"),
        (("a", 0), "Scalar"),
        (("a", 1), "Map"),
        (("a", 1, "b"), "Scalar"),
    ]


# --- the node types ----------------------------------------------------------------------------


def test_keys_flow_styles_and_tags() -> None:
    doc = yamlio.load("a: [1]\nb: {c: !x 1}\nd:\n  - x\n? [k]\n: v\n")
    root = doc.root
    assert isinstance(root, yamlio.Map) and not root.flow
    assert root.keys() == ["a", "b", "d"]  # the complex key [k] has no text
    a, b, d = root.get("a"), root.get("b"), root.get("d")
    assert isinstance(a, yamlio.Seq) and a.flow
    assert isinstance(b, yamlio.Map) and b.flow
    assert isinstance(d, yamlio.Seq) and not d.flow
    c = b.get("c")
    assert isinstance(c, yamlio.Scalar) and c.tag == "!x" and c.raw == "1"
    x = d.items[0]
    assert isinstance(x, yamlio.Scalar) and x.tag is None and x.plain


def test_nodes_are_identities_with_defaults() -> None:
    mark = yamlio.Mark("f", 1, 1)
    one, two = yamlio.Scalar("x", None, mark), yamlio.Scalar("x", None, mark)
    # Rules key findings and visited sets on the node itself: equal text is not the same node.
    assert one != two and len({one, two}) == 2
    assert one.tag is None
    seq, empty = yamlio.Seq(items=[], mark=mark), yamlio.Map(pairs=[], mark=mark)
    assert seq != yamlio.Seq(items=[], mark=mark) and len({seq, empty}) == 2
    assert not seq.flow and not empty.flow and empty.keys() == []
    assert "_index" not in repr(empty)
    # One object per node of large files: no per-instance dict.
    for node in (one, seq, empty, yamlio.Document("f", "", None)):
        assert not hasattr(node, "__dict__")
    assert yamlio.Document("f", "", None).extra_documents == 0
    assert yamlio.load("a: 1\r\nb: 2\n").lines == ["a: 1", "b: 2"]
    assert yamlio.load("a: 1\r\nb: 2\n").lines == ["a: 1", "b: 2"]


# --- merge keys (main's yaml.v3 merge): messages and the budget ------------------------------


def test_a_merge_of_a_scalar_is_refused_where_it_stands() -> None:
    with pytest.raises(YamlError) as info:
        yamlio.load("a:\n  <<: [{x: 1}, 3]\n", "m.yaml")
    assert str(info.value) == (
        "m.yaml:2:16: a merge key (<<) needs a mapping or a list of mappings as its value; "
        "yaml.v3 rejects the document"
    )


def test_merged_pairs_are_counted_against_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "b: &b {x: 1, y: 2}\nc: {<<: *b, z: 3}\nd: {<<: *b, x: 0}\n"
    monkeypatch.setattr(yamlio, "MAX_MERGED_PAIRS", 3)  # c merges 2 pairs, d merges 1 more
    assert yamlio.to_python(yamlio.load(text).root)["d"] == {"x": 0, "y": 2}
    monkeypatch.setattr(yamlio, "MAX_MERGED_PAIRS", 2)
    with pytest.raises(YamlError) as info:
        yamlio.load(text, "m.yaml")
    assert str(info.value) == (
        "m.yaml:1:4: excessive aliasing (merge keys expand to too many keys); yaml.v3 rejects it"
    )


def test_go_yaml_v3_resolves_edge_numbers_the_same(yaml_v3: Path) -> None:
    from tests.test_yamlio import EDGE_NUMBERS

    text = "".join(f"n{i}: {raw}\n" for i, (raw, _) in enumerate(EDGE_NUMBERS))
    ours = yamlio.to_python(yamlio.load(text).root)
    assert _go_read(yaml_v3, text) == ours
    assert list(ours.values()) == [expected for _, expected in EDGE_NUMBERS]


@pytest.mark.parametrize("text", ['a: "\\ud800"\n', 'a: "\\ud83d\\ude00"\n'])
def test_go_yaml_v3_refuses_surrogate_escapes_too(yaml_v3: Path, text: str) -> None:
    done = subprocess.run([str(yaml_v3)], input=text, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "invalid Unicode character escape" in done.stderr
    with pytest.raises(YamlError):
        yamlio.load(text)
