"""The published pre-commit hook: well formed, and its file pattern picks user-data files."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

HOOKS: list[dict[str, Any]] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
(HOOK,) = HOOKS


def test_hook_definition() -> None:
    assert HOOK["id"] == "palette-tailscale-lint"
    assert HOOK["entry"] == "palette-tailscale lint"
    assert HOOK["language"] == "python"
    assert {"id", "name", "entry", "language", "files"} <= set(HOOK)


@pytest.mark.parametrize(
    ("path", "matched"),
    [
        ("user-data", True),
        ("sites/store-1/user-data", True),
        ("sites/store-1/user-data.yaml", True),
        ("deploy/site-user-data.yml", True),
        ("canvos/user-data", True),
        ("cloud-config/90_custom.yaml", True),
        ("oem/90_custom.yaml", True),
        ("sites/store-1.cloud-config.yml", True),
        ("user-data-store-1.yaml", True),
        ("docs/mkdocs.yaml", False),
        (".github/workflows/ci.yml", False),
        ("palette-tailscale.yaml", False),  # the tool's own config is not user-data
        ("sites/palette-tailscale.yaml", False),
        ("palette/edge-hosts.yaml", False),  # manifests beside the user-data are not
        ("canvos/k8s/deployment.yaml", False),
        ("edge/site-1/kustomization.yaml", False),
        ("cloud-config/k8s/deployment.yaml", False),
        ("user-data.txt", False),
    ],
)
def test_hook_files_pattern(path: str, matched: bool) -> None:
    assert bool(re.search(HOOK["files"], path)) is matched
