"""Secret references: {env: NAME}, {file: PATH} or a literal, resolved into Secret values."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from pydantic import BaseModel, ValidationError

from palette_tailscale.config.secretref import SECRET_JSON_SCHEMA, SecretField, SecretSource
from palette_tailscale.errors import InputError, Mark
from palette_tailscale.secrets import Secret


class Holder(BaseModel):
    secret: SecretField


def _source(value: object) -> SecretSource:
    return Holder.model_validate({"secret": value}).secret


@pytest.mark.parametrize(
    ("value", "kind", "ref", "described"),
    [
        ({"env": "TS_KEY"}, "env", "TS_KEY", "environment variable TS_KEY"),
        ({"env": "_x9"}, "env", "_x9", "environment variable _x9"),
        ({"file": "keys/ts"}, "file", "keys/ts", "file keys/ts"),
        ("tskey-auth-abc", "literal", "", "a literal in the config file"),
    ],
)
def test_parse_and_describe(value: object, kind: str, ref: str, described: str) -> None:
    source = _source(value)
    assert (source.kind, source.ref, source.describe()) == (kind, ref, described)
    assert "tskey-auth-abc" not in repr(source)


def test_a_source_passes_through() -> None:
    source = SecretSource(kind="env", ref="A")
    assert _source(source) is source


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"env": "1ABC"}, "'1ABC' is not an environment variable name"),
        ({"env": "A-B"}, "'A-B' is not an environment variable name"),
        ({"env": 3}, "a secret is {env: NAME}, {file: PATH} or a quoted string"),
        ({"file": ""}, "a secret is {env: NAME}, {file: PATH} or a quoted string"),
        ({"file": 1}, "a secret is {env: NAME}, {file: PATH} or a quoted string"),
        ({"env": "A", "file": "b"}, "a secret is {env: NAME}, {file: PATH} or a quoted string"),
        ({}, "a secret is {env: NAME}, {file: PATH} or a quoted string"),
        (42, "a secret is {env: NAME}, {file: PATH} or a quoted string"),
    ],
)
def test_bad_references(value: object, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        _source(value)
    assert info.value.errors()[0]["msg"] == f"Value error, {message}"


MARK = Mark("c.yaml", 3, 5)


def test_env_resolves_stripped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PT_TEST_KEY", "  tskey-auth-v  \n")
    secret = SecretSource(kind="env", ref="PT_TEST_KEY").resolve(tmp_path)
    assert (
        secret == Secret("tskey-auth-v", "") and secret.source == "environment variable PT_TEST_KEY"
    )


@pytest.mark.parametrize("value", [None, "", "  \n"])
def test_env_unset_or_blank_is_an_input_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("PT_TEST_KEY", raising=False)
    else:
        monkeypatch.setenv("PT_TEST_KEY", value)
    with pytest.raises(InputError) as info:
        SecretSource(kind="env", ref="PT_TEST_KEY").resolve(tmp_path, mark=MARK)
    assert info.value.message == "secret reference: environment variable PT_TEST_KEY is not set"
    assert info.value.mark == MARK
    assert info.value.hint == "export PT_TEST_KEY=… or use {file: PATH}"


def test_file_relative_to_the_config_and_stripped(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "ts").write_text("\n tskey-auth-f \n")
    secret = SecretSource(kind="file", ref="keys/ts").resolve(tmp_path)
    assert secret.reveal() == "tskey-auth-f" and secret.source == "file keys/ts"


def test_file_absolute_and_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "k").write_text("v1")
    assert (
        SecretSource(kind="file", ref=str(tmp_path / "k")).resolve(Path("/nowhere")).reveal()
        == "v1"
    )
    monkeypatch.setenv("HOME", str(tmp_path))
    assert SecretSource(kind="file", ref="~/k").resolve(Path("/nowhere")).reveal() == "v1"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "secret reference: {path}: no such file"),
        (b"  \n", "secret reference: {path} is empty"),
        (b"\xff\xfe", "secret reference: {path}: not UTF-8 text"),
    ],
)
def test_file_errors(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "k"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as info:
        SecretSource(kind="file", ref="k").resolve(tmp_path, mark=MARK)
    assert info.value.message == message.format(path=path)
    assert info.value.mark == MARK


def test_a_literal_resolves_to_itself(tmp_path: Path) -> None:
    source = _source("lit-value")
    assert source.resolve(tmp_path) == Secret("lit-value", "") and source.literal is not None
    assert repr(source.resolve(tmp_path)) == (
        "Secret(source='a literal in the config file', value='***')"
    )


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ({"env": "A"}, True),
        ({"file": "p"}, True),
        ("literal", True),
        ({"env": "A", "x": 1}, False),
        ({"file": "p", "x": 1}, False),
        ({"file": 3}, False),
        ({"env": 3}, False),
        ({}, False),
        (3, False),
    ],
)
def test_json_schema(value: object, valid: bool) -> None:
    errors = list(jsonschema.Draft202012Validator(SECRET_JSON_SCHEMA).iter_errors(value))
    assert (not errors) == valid


def test_a_source_is_immutable() -> None:
    source = _source({"env": "A"})
    with pytest.raises(ValidationError):
        source.ref = "B"  # type: ignore[misc]


def test_editors_see_what_a_secret_may_be() -> None:
    field = Holder.model_json_schema()["properties"]["secret"]
    assert field["description"] == (
        "A secret: {env: NAME}, {file: PATH}, or a literal string (discouraged)."
    )
    assert [sorted(option) for option in field["oneOf"]] == [
        ["additionalProperties", "properties", "required", "type"],
        ["additionalProperties", "properties", "required", "type"],
        ["type"],
    ]
