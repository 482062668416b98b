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

# Findings the config asked for: the key in installer data (PT013), no bind mount (PT014).
EXPECTED = {
    "opensuse-leap-15.6-zypper-pinned-installer": ["PT013"],
    "rhel-9-rpm-pinned-installer": ["PT013"],
    "sles-5.5-static-arm64-installer": ["PT013"],
    "ubuntu-24.04-apt-pinned-installer": ["PT013"],
    "ubuntu-22.04-static-headscale-extra": ["PT014"],
}


@pytest.mark.usefixtures("secrets_env")
@pytest.mark.parametrize("case", sorted(CASES))
def test_rendered_user_data_lints_clean(tmp_path: Path, case: str) -> None:
    text = render_all(load(CASES[case], tmp_path)).files["user-data"].decode()
    found = [p.rule for p in lint_text(text, "user-data", kind="installer")]
    assert found == EXPECTED.get(case, [])


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
