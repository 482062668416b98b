"""Hypothesis feeds the linter random, mutated and generated user-data: only Problems come back."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palette_tailscale import yamlio
from palette_tailscale.kairos import STEP_FIELDS
from palette_tailscale.lint import Problem, lint_text
from palette_tailscale.lint.engine import lint_bytes

SEEDS = [
    "#cloud-config\nstages:\n  network.after:\n    - name: join\n"
    "      if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'\n"
    "      commands:\n        - |\n"
    "          tailscale status || tailscale up --auth-key=file:/k \\\n"
    "            --hostname=edge-1 --timeout=30s --advertise-tags=tag:edge\n",
    "#cloud-config\nstylus:\n  site:\n    paletteEndpoint: api.spectrocloud.com\n"
    "    edgeHostToken: ####\n    projectUid: 123\n    tags:\n      zip: 95135\n"
    "install:\n  poweroff: yes\n  bind_mounts:\n    - /var/lib/tailscale\n",
    "#cloud-config\nstages:\n  boot:\n    - files:\n        - path: /etc/x\n"
    "          permissions: 644\n"
    "          encoding: b64\n          content: e3suWH19\n      systemctl:\n        start: [a]\n"
    "        overrides:\n          - {service: a, content: x}\n",
    "#cloud-config\nusers:\n  - name: kairos\n    groups: [admin]\nwrite_files:\n"
    "  - path: /x\n    permissions: '0644'\nruncmd:\n  - sudo tailscale up\n"
    "stages:\n  initramfs:\n    - &s {name: a, if_files: {any: [/x]}, only_os: '(?!x)'}\n"
    "  fs:\n    - *s\n",
]
ALPHABET = st.sampled_from([*":-[]{}#&*!|>'\"\n \t,?%@`~\\", "  ", "\n  ", "{{", "- "])
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_problems(found: list[Problem]) -> None:
    assert all(isinstance(p, Problem) and p.line >= 1 and p.col >= 1 for p in found)
    assert all(p.level in ("error", "warning", "info") for p in found)


@SETTINGS
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    _only_problems(lint_text(text, "f.yaml"))


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    _only_problems(lint_bytes(data, "f.yaml"))


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "dup-line", "indent"]))
        if action == "insert":
            text = text[:at] + draw(ALPHABET) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 8)) :]
        elif action == "dup-line":
            lines = text.split("\n")
            i = at % len(lines)
            text = "\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
        else:
            start = text.rfind("\n", 0, at) + 1
            text = text[:start] + " " * draw(st.integers(1, 3)) + text[start:]
    return text


@SETTINGS
@given(mutated())
def test_mutated_yaml(text: str) -> None:
    _only_problems(lint_text(text, "f.yaml", kind="installer"))


SCALARS = st.sampled_from(
    ["tailscale up --authkey=tskey-auth-x", "0644", "644", "yes", "{{.X}}", "", "edge_1",
     "tag:edge", "[[ -f /x ]]", "while true; do :; done", "/var/lib/tailscale", "skip-copy-k"]
)  # fmt: skip
KEYS = st.sampled_from([*STEP_FIELDS, "permissions", "enable", "start", "content", "any", "x"])
VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS | st.integers(-5, 5000) | st.booleans(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)
STAGE_NAMES = st.sampled_from(["boot", "network.after", "initramfs", "reconcile", "netwrok", "x"])


@SETTINGS
@given(
    st.dictionaries(STAGE_NAMES, st.lists(st.dictionaries(KEYS, VALUES, max_size=4), max_size=3))
)
def test_generated_stages(stages: dict[str, Any]) -> None:
    text = yamlio.dump({"stages": stages}, header="#cloud-config\n")
    found = lint_text(text, "f.yaml")
    _only_problems(found)
    assert "PT002" not in {p.rule for p in found}  # what we dump is valid YAML
