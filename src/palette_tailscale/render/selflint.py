"""Run the linter (``palette_tailscale.lint``) on what ``render`` produced.

``render`` and ``lint`` share one YAML layer and one model of Kairos stages (DESIGN.md), so
everything rendered must lint clean. Errors only: warnings are advice the renderer may have
been asked to ignore (for instance PT013 for ``auth_key_delivery: installer``, which the user
chose knowing the key stays on the ISO).
"""

from __future__ import annotations

from ..errors import Mark


def lint_errors(text: str, name: str, *, kind: str = "installer") -> list[tuple[Mark, str]]:
    """``(position, "PT0NN message")`` of every error-level finding."""
    from ..lint import lint_text

    return [
        (Mark(p.path, p.line, p.col), f"{p.rule} {p.message}")
        for p in lint_text(text, name, kind=kind)
        if p.level == "error"
    ]
