"""Config values the device side cannot honour are refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from palette_tailscale.config import load_text
from palette_tailscale.errors import InputError


def load(text: str, tmp_path: Path) -> None:
    load_text(text, "palette-tailscale.yaml", base_dir=tmp_path)


@pytest.mark.parametrize("version", ["1.24.9", "1.2.0", "0.100.0"])
def test_tailscale_older_than_the_script_supports(tmp_path: Path, version: str) -> None:
    text = f"version: 1\ntailscale:\n  install:\n    version: {version}\n"
    with pytest.raises(InputError) as info:
        load(text, tmp_path)
    assert str(info.value) == (
        f"palette-tailscale.yaml:4:14: tailscale.install.version: {version} is older than 1.26, "
        "the oldest Tailscale the enrollment script drives: it passes --auth-key=file: (1.16), "
        "the --auth-key spelling (1.22) and --timeout (1.26)"
    )
    assert info.value.exit_code == 2


@pytest.mark.parametrize("version", ["1.26.0", "1.76.6", "1.98.10", "2.0.0"])
def test_supported_versions(tmp_path: Path, version: str) -> None:
    load(f"version: 1\ntailscale:\n  install:\n    version: {version}\n", tmp_path)
