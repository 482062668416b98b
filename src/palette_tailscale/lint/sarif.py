"""SARIF 2.1.0 output, with what GitHub code scanning requires: ``$schema``, ``version``, a tool
driver with rule metadata, and results with ruleId, level, message and a physical location."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any, Final

from .. import __version__
from .problem import Problem
from .registry import Rule, all_rules

SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI: Final = "https://pypi.org/project/palette-tailscale/"
_LEVELS: Final = {"error": "error", "warning": "warning", "info": "note"}


def sarif(problems: Sequence[Problem]) -> str:
    rules = all_rules()
    index = {rule.id: i for i, rule in enumerate(rules)}
    run = {
        "tool": {
            "driver": {
                "name": "palette-tailscale",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "results": [_result(p, index[p.rule]) for p in problems],
    }
    document = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc.split("\n\n", 1)[0].replace("\n", " ")},
        "help": {"text": rule.explain()},
        "defaultConfiguration": {"level": _LEVELS[rule.level]},
    }


def _result(p: Problem, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": p.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS[p.level],
        "message": {"text": p.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(p.path)},
                    "region": {"startLine": p.line, "startColumn": p.col},
                }
            }
        ],
    }


def _uri(path: str) -> str:
    # "<stdin>" is no valid URI reference; SARIF viewers show the bare name.
    return path.strip("<>") if path.startswith("<") else PurePath(path).as_posix()
