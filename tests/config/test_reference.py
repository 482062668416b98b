"""docs/config.md is generated from the models and must not drift."""

from __future__ import annotations

from palette_tailscale.config.models import Config
from palette_tailscale.config.reference import config_reference

from ..conftest import REPO


def test_config_reference_is_current() -> None:
    current = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    assert current == config_reference(), (
        "docs/config.md is stale: python -m palette_tailscale.config.reference > docs/config.md"
    )


def test_every_field_is_documented() -> None:
    text = config_reference()
    for name, field in Config.model_fields.items():
        assert f"| `{field.alias or name}` |" in text
        assert field.description, name
