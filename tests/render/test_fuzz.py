"""Random and mutated configs: render either succeeds or fails with a clear error, never a trace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palette_tailscale import yamlio
from palette_tailscale.config import example_text, load_text
from palette_tailscale.errors import InputError, InputErrors, PaletteTailscaleError
from palette_tailscale.render.plan import render_all

EXAMPLE_LINES = example_text().splitlines()
SCALARS = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.booleans(),
    st.none(),
    st.sampled_from(["tag:x", "{name}", "static", "sles", "5.5", "0644", "[", "{env: X}", "~"]),
)
PATHS = [
    ("canvos", "os_distribution"),
    ("canvos", "os_version"),
    ("canvos", "arch"),
    ("canvos", "extra_args"),
    ("tailscale", "install"),
    ("tailscale", "auth_key_delivery"),
    ("tailscale", "hostname"),
    ("tailscale", "tags"),
    ("userdata", "extra"),
    ("userdata", "extra", "stages"),
    ("userdata", "extra", "stages", "boot"),
    ("hosts",),
    ("palette", "registration_token"),
]
VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _render(text: str, tmp_path: Path) -> None:
    try:
        render_all(load_text(text, "c.yaml", base_dir=tmp_path), allow_placeholders=True)
    except InputErrors as exc:  # several problems: one line each, each at its position
        assert exc.exit_code == 2
        assert len(str(exc).splitlines()) == min(len(exc.problems), 51)
        assert all(p.mark is not None and "\n" not in str(p) for p in exc.problems)
    except InputError as exc:
        assert exc.exit_code == 2
        assert "\n" not in str(exc)
    except PaletteTailscaleError as exc:  # pragma: no cover - would be a renderer bug
        raise AssertionError(f"not an input error: {exc!r}") from exc


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        child = data.get(key)
        if not isinstance(child, dict):
            child = {}
            data[key] = child
        data = child
    data[path[-1]] = value


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(PATHS), value=VALUES)
def test_replaced_values(tmp_path: Path, path: tuple[str, ...], value: Any) -> None:
    data = yamlio.to_python(yamlio.load(example_text()).root)
    _set(data, path, value)
    _render(yamlio.dump(data), tmp_path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    drop=st.sets(st.integers(0, len(EXAMPLE_LINES) - 1), max_size=4),
    junk=st.text(alphabet=" :-[]{}#'\"\t\nab0", max_size=6),
    at=st.integers(0, len(EXAMPLE_LINES) - 1),
)
def test_mutated_text(tmp_path: Path, drop: set[int], junk: str, at: int) -> None:
    lines = [line for i, line in enumerate(EXAMPLE_LINES) if i not in drop]
    at = min(at, len(lines) - 1)
    lines[at] = lines[at] + junk
    _render("\n".join(lines) + "\n", tmp_path)
