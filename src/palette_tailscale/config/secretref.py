"""Secret references in the config: ``{env: NAME}``, ``{file: PATH}`` or a literal (warned)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

from ..errors import InputError, Mark
from ..inputfile import read_limited
from ..secrets import Secret

_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Keys and tokens are tens of characters; a file holding more is the wrong file.
MAX_SECRET_BYTES = 8192


class SecretSource(BaseModel):
    """Where a secret comes from. A literal's value lives in a :class:`Secret`, never in a repr."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    kind: Literal["env", "file", "literal"]
    ref: str = ""  # variable name or path; empty for literals
    literal: Secret | None = None

    def describe(self) -> str:
        if self.kind == "env":
            return f"environment variable {self.ref}"
        if self.kind == "file":
            return f"file {self.ref}"
        return "a literal in the config file"

    def resolve(self, base_dir: Path, *, mark: Mark | None = None) -> Secret:
        """Read the secret; an unset variable or unreadable file is an :class:`InputError`."""
        if self.kind == "literal":
            assert self.literal is not None
            return self.literal
        if self.kind == "env":
            value = os.environ.get(self.ref, "")
            if not value.strip():
                raise InputError(
                    f"secret reference: environment variable {self.ref} is not set",
                    mark=mark,
                    hint=f"export {self.ref}=… or use {{file: PATH}}",
                )
            return Secret(value.strip(), self.describe())
        path = Path(os.path.expanduser(self.ref))
        path = path if path.is_absolute() else base_dir / path
        raw = read_limited(
            path, limit=MAX_SECRET_BYTES, label=f"secret reference: {path}", mark=mark
        )
        try:
            value = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise InputError(f"secret reference: {path}: not UTF-8 text", mark=mark) from None
        if not value:
            raise InputError(f"secret reference: {path} is empty", mark=mark)
        return Secret(value, self.describe())


def _parse(value: Any) -> Any:
    if isinstance(value, SecretSource):
        return value
    if isinstance(value, str):
        return SecretSource(kind="literal", literal=Secret(value, "a literal in the config file"))
    if isinstance(value, dict):
        keys = set(value)
        if keys == {"env"} and isinstance(value["env"], str):
            if not _ENV_NAME_RE.fullmatch(value["env"]):
                raise ValueError(f"{value['env']!r} is not an environment variable name")
            return SecretSource(kind="env", ref=value["env"])
        if keys == {"file"} and isinstance(value["file"], str) and value["file"]:
            return SecretSource(kind="file", ref=value["file"])
    raise ValueError("a secret is {env: NAME}, {file: PATH} or a quoted string")


SECRET_JSON_SCHEMA: dict[str, Any] = {
    "description": "A secret: {env: NAME}, {file: PATH}, or a literal string (discouraged).",
    "oneOf": [
        {
            "type": "object",
            "properties": {"env": {"type": "string", "pattern": _ENV_NAME_RE.pattern}},
            "required": ["env"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"file": {"type": "string", "minLength": 1}},
            "required": ["file"],
            "additionalProperties": False,
        },
        {"type": "string"},
    ],
}

SecretField = Annotated[SecretSource, BeforeValidator(_parse), WithJsonSchema(SECRET_JSON_SCHEMA)]
