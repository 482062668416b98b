"""The versioned config: models, loading with positions, secret references."""

from .load import (
    DEFAULT_PATH,
    Diagnostic,
    LoadedConfig,
    example_text,
    load_example,
    load_file,
    load_text,
)
from .models import Config, Host, duration_seconds
from .secretref import SecretSource

__all__ = [
    "DEFAULT_PATH",
    "Config",
    "Diagnostic",
    "Host",
    "LoadedConfig",
    "SecretSource",
    "duration_seconds",
    "example_text",
    "load_example",
    "load_file",
    "load_text",
]
