"""What render writes lints clean (with the real enrollment script), and lint errors stop it."""

from __future__ import annotations

from pathlib import Path

import pytest

from palette_tailscale.errors import GeneratedInvalidError, InputError
from palette_tailscale.lint import lint_text
from palette_tailscale.render.canvos import canvos_writes
from palette_tailscale.render.plan import render_all
from palette_tailscale.render.verify import verify_userdata

from .helpers import config, load
from .test_golden import CASES


@pytest.mark.usefixtures("secrets_env")
@pytest.mark.parametrize("case", sorted(CASES))
def test_rendered_user_data_lints_clean(tmp_path: Path, case: str) -> None:
    text = render_all(load(CASES[case], tmp_path)).files["user-data"].decode()
    assert lint_text(text, "user-data", kind="installer") == []


@pytest.mark.usefixtures("secrets_env")
@pytest.mark.parametrize(
    ("tailscale", "declined"),
    [({"persist_state": False}, "PT014")],
)
def test_declined_advice_is_said_in_the_header(
    tmp_path: Path, tailscale: dict[str, object], declined: str
) -> None:
    text = render_all(load(config(tailscale=tailscale), tmp_path)).files["user-data"].decode()
    head = text.splitlines()[:5]
    assert f"# palette-tailscale: disable-file={declined}" in head
    assert lint_text(text, "user-data", kind="installer") == []
    without = "\n".join(line for line in text.splitlines() if "disable-file" not in line)
    rules = sorted({p.rule for p in lint_text(without, "user-data", kind="installer")})
    assert ",".join(rules) == declined


def test_lint_errors_fail_verification() -> None:
    text = (
        "#cloud-config\nstages:\n"
        "  boot:\n    - name: early\n      commands:\n        - tailscale up --timeout=10s\n"
        "  network.after:\n    - name: palette-tailscale-enroll\n"
        "      if: '[ -f /run/cos/active_mode ] || [ -f /run/cos/passive_mode ]'\n"
        "      commands:\n        - /bin/sh /usr/local/lib/palette-tailscale/enroll.sh\n"
    )
    with pytest.raises(GeneratedInvalidError) as info:
        verify_userdata(text, name="user-data", key_expected=False)
    assert "user-data:6:11: PT010" in str(info.value)


@pytest.mark.usefixtures("secrets_env")
def test_lint_error_in_the_users_file_is_their_input_error(tmp_path: Path) -> None:
    root = tmp_path / "canvos"
    root.mkdir()
    (root / "Dockerfile").write_text("FROM x\n# Add any other image customizations here\n")
    (root / "user-data").write_text(
        "#cloud-config\nstages:\n  boot:\n    - name: mine\n      commands:\n"
        "        - tailscale up --hostname=a --timeout=5s\n"
    )
    with pytest.raises(InputError) as info:
        canvos_writes(render_all(load(config(), tmp_path)), root)
    assert str(info.value).startswith(f"{root}/user-data:6:11: existing user-data: PT010 ")
