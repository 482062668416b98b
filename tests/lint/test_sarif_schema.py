"""SARIF output carries everything GitHub code scanning requires.

The schema below states those requirements (docs.github.com, "SARIF support for code
scanning"): version 2.1.0 and ``$schema``; a run with ``tool.driver.name`` and rule metadata;
results with ``ruleId``, ``level``, ``message.text`` and a physical location with an artifact
URI and a region with ``startLine`` and ``startColumn``.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from palette_tailscale.lint import lint_text
from palette_tailscale.lint.sarif import sarif

TEXT = {
    "type": "object",
    "required": ["text"],
    "properties": {"text": {"type": "string", "minLength": 1}},
}
RULE = {
    "type": "object",
    "required": ["id", "shortDescription", "fullDescription", "help", "defaultConfiguration"],
    "properties": {
        "id": {"type": "string", "pattern": "^PT[0-9]{3}$"},
        "shortDescription": TEXT,
        "fullDescription": TEXT,
        "help": TEXT,
        "defaultConfiguration": {
            "type": "object",
            "required": ["level"],
            "properties": {"level": {"enum": ["error", "warning", "note"]}},
        },
    },
}
LOCATION = {
    "type": "object",
    "required": ["physicalLocation"],
    "properties": {
        "physicalLocation": {
            "type": "object",
            "required": ["artifactLocation", "region"],
            "properties": {
                "artifactLocation": {
                    "type": "object",
                    "required": ["uri"],
                    "properties": {"uri": {"type": "string", "minLength": 1}},
                },
                "region": {
                    "type": "object",
                    "required": ["startLine", "startColumn"],
                    "properties": {
                        "startLine": {"type": "integer", "minimum": 1},
                        "startColumn": {"type": "integer", "minimum": 1},
                    },
                },
            },
        }
    },
}
RESULT = {
    "type": "object",
    "required": ["ruleId", "level", "message", "locations"],
    "properties": {
        "ruleId": {"type": "string", "pattern": "^PT[0-9]{3}$"},
        "level": {"enum": ["error", "warning", "note"]},
        "message": TEXT,
        "locations": {"type": "array", "minItems": 1, "items": LOCATION},
    },
}
GITHUB_SARIF: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["$schema", "version", "runs"],
    "properties": {
        "$schema": {"type": "string", "pattern": "sarif-2\\.1\\.0"},
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "version", "informationUri", "rules"],
                                "properties": {
                                    "name": {"const": "palette-tailscale"},
                                    "version": {"type": "string"},
                                    "informationUri": {"type": "string", "format": "uri"},
                                    "rules": {"type": "array", "minItems": 1, "items": RULE},
                                },
                            }
                        },
                    },
                    "results": {"type": "array", "items": RESULT},
                },
            },
        },
    },
}
SAMPLE = (
    "stages:\n  boot:\n    - commands:\n        - sudo tailscale up --authkey=tskey-auth-x1\n"
    "  netwrk: {}\n"
)


def test_sarif_is_valid_for_code_scanning() -> None:
    problems = lint_text(SAMPLE, "deploy/user-data")
    assert len(problems) > 5
    document = json.loads(sarif(problems))
    jsonschema.validate(document, GITHUB_SARIF)
    results = document["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {p.rule for p in problems}
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def test_the_schema_rejects_what_github_would() -> None:
    document = json.loads(sarif(lint_text(SAMPLE, "user-data")))
    del document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    try:
        jsonschema.validate(document, GITHUB_SARIF)
    except jsonschema.ValidationError:
        return
    raise AssertionError("a result without a region passed the schema")


def test_stdin_uri_is_a_valid_reference() -> None:
    document = json.loads(sarif(lint_text("x: 1\n", "<stdin>")))
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "stdin"
