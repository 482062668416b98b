"""One module per rule; the list below is the catalogue (order does not matter)."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

NAMES: tuple[str, ...] = (
    "pt001_header",
    "pt002_yaml",
    "pt003_unknown_key",
    "pt004_type",
    "pt005_permissions",
    "pt006_stage",
    "pt010_up_before_network",
    "pt011_up_unguarded",
    "pt012_key_every_boot",
    "pt013_secret",
    "pt014_persistence",
    "pt015_hostname_flag",
    "pt016_unbounded",
    "pt017_sudo",
    "pt018_tags",
    "pt019_authkey_spelling",
    "pt020_template",
    "pt021_stylus_types",
    "pt022_hostname",
    "pt023_version_gated",
    "pt024_missing_permissions",
    "pt025_write_files_permissions",
    "pt026_bool_spelling",
    "pt027_conditions",
    "pt028_encoding",
    "pt029_if_files",
    "pt030_duplicate_step",
    "pt031_systemctl_start",
    "pt032_random_hostname",
    "pt033_tailscaled_enable",
    "pt034_bind_mounts",
    "pt035_bashisms",
    "pt036_extra_documents",
    "pt037_after",
    "pt038_size",
    "pt039_up_stage",
    "pt040_step_without_action",
    "pt041_top_level_ignored",
    "pt042_cloud_init_ignored",
    "pt043_secret_in_clear",
    "pt044_shell_error",
)

MODULES: tuple[ModuleType, ...] = tuple(import_module(f"{__name__}.{name}") for name in NAMES)
