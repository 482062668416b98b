"""PT016 on the ways a foreground ``tailscale up`` in a network stage is (or is not) bounded."""

from __future__ import annotations

import pytest

from palette_tailscale.lint import lint_text

GUARD = "'[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'"


def doc(command: str, stage: str = "network.after") -> str:
    return (
        "#cloud-config\n"
        "stages:\n"
        f"  {stage}:\n"
        "    - name: join\n"
        f"      if: {GUARD}\n"
        "      commands:\n"
        f"        - {command}\n"
    )


def pt016(command: str, stage: str = "network.after") -> list[tuple[int, int, str]]:
    problems = lint_text(doc(command, stage), "u.yaml", select=["PT016"])
    return [(p.line, p.col, p.message) for p in problems]


UP = "tailscale status || tailscale up --auth-key=file:/k --hostname=edge-1"


@pytest.mark.parametrize(
    "command",
    [
        f"{UP} --timeout=30s",
        f"{UP} --timeout 2m",
        "tailscale status || timeout 45 tailscale up --auth-key=file:/k --hostname=edge-1",
        "tailscale status || timeout -k 5 45 /usr/bin/tailscale up --auth-key=file:/k --hostname=e",
        "tailscale status || timeout -s KILL 45s tailscale up --auth-key=file:/k --hostname=e",
    ],
)
def test_bounded(command: str) -> None:
    assert pt016(command) == []


@pytest.mark.parametrize("value", ["0", "0s", "0m", "00", "0.0s"])
def test_zero_timeout_is_no_timeout(value: str) -> None:
    command = f"{UP} --timeout={value}"
    col = 11 + command.index(f"--timeout={value}") + len("--timeout=")
    assert pt016(command) == [
        (
            7,
            col,
            f"--timeout={value} means no timeout: `tailscale up` blocks until it logs in, and "
            "this stage has none either; pass --timeout=30s",
        )
    ]


def test_no_timeout_is_flagged_at_the_up() -> None:
    [(line, col, message)] = pt016(UP)
    assert (line, col) == (7, 11 + UP.index("tailscale up"))
    assert message.startswith("`tailscale up` without --timeout blocks until it logs in")


def test_timeout_elsewhere_on_the_line_does_not_bound_the_up() -> None:
    command = "timeout 5 tailscale status || tailscale up --auth-key=file:/k --hostname=edge-1"
    assert len(pt016(command)) == 1


def test_other_stages_are_not_this_rule() -> None:
    assert pt016(f"{UP} --timeout=0", stage="reconcile") == []
