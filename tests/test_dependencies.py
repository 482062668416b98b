"""Declared means used: every runtime dependency in pyproject.toml is imported by the package."""

from __future__ import annotations

import re

from .conftest import REPO

# Distribution name -> the module the package imports, where they differ.
MODULES = {"ruamel.yaml": "ruamel.yaml"}


def _dependencies() -> list[str]:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^dependencies = \[\n(.*?)^\]", text, re.MULTILINE | re.DOTALL)
    assert block is not None
    specs = re.findall(r'^\s*"([^"]+)",?$', block.group(1), re.MULTILINE)
    return [re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0] for spec in specs]


def test_every_runtime_dependency_is_imported() -> None:
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in (REPO / "src" / "palette_tailscale").rglob("*.py")
    )
    assert len(_dependencies()) >= 6
    for name in _dependencies():
        module = MODULES.get(name, name.replace("-", "_"))
        pattern = rf"^\s*(?:import {re.escape(module)}\b|from {re.escape(module)}[. ])"
        assert re.search(pattern, source, re.MULTILINE), f"{name} is declared but never imported"
