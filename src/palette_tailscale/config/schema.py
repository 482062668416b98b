"""The JSON schema of the config, as editors use it (``palette-tailscale schema``, ``init``).

The models accept unknown keys so the loader can warn with a position and a did-you-mean; an
editor should flag them at once, so the published schema forbids them (``additionalProperties:
false`` on every section). It also carries the patterns and enumerations the validators apply
(tags, hostnames, durations, versions, names), from the same constants, so an editor rejects
what ``render`` would.
"""

from __future__ import annotations

from typing import Any, Final

from ..kairos import HOSTNAME_RE, TAG_RE
from . import models
from .models import Config

SCHEMA_NAME: Final = "palette-tailscale.schema.json"
DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

_TAGS: Final = {"items": {"type": "string", "pattern": TAG_RE.pattern}, "uniqueItems": True}
_DURATION: Final = {"pattern": models.DURATION_RE.pattern}

# (section model, key) -> what the schema adds to that property.
CONSTRAINTS: Final[dict[tuple[str, str], dict[str, Any]]] = {
    ("Palette", "endpoint"): {"pattern": models.ENDPOINT_PATTERN},
    ("CanvOS", "os_version"): {
        "enum": sorted({v for versions in models.OS_VERSIONS.values() for v in versions})
    },
    ("CanvOS", "k8s_version"): {"pattern": models.K8S_VERSION_PATTERN},
    ("CanvOS", "image_registry"): {"pattern": models.REGISTRY_PATTERN},
    ("CanvOS", "image_repo"): {"pattern": models.REPO_PATTERN},
    ("CanvOS", "custom_tag"): {"pattern": models.CUSTOM_TAG_PATTERN},
    ("CanvOS", "iso_name"): {"pattern": models.ISO_NAME_PATTERN},
    ("CanvOS", "pe_version"): {"pattern": models.PE_VERSION_PATTERN},
    ("CanvOS", "extra_args"): {"propertyNames": {"pattern": models.ARG_KEY_PATTERN}},
    ("Install", "version"): {"pattern": models.TAILSCALE_VERSION_PATTERN},
    ("Install", "sha256"): {"additionalProperties": {"pattern": models.SHA256_PATTERN}},
    ("KeyPolicy", "expiry"): _DURATION,
    ("Tailscale", "tags"): _TAGS,
    ("Tailscale", "hostname"): {"pattern": models.HOSTNAME_TEMPLATE_PATTERN},
    ("Tailscale", "login_server"): {"pattern": models.LOGIN_SERVER_PATTERN},
    ("Tailscale", "extra_up_args"): {"items": {"type": "string", "pattern": models.UP_ARG_PATTERN}},
    ("Host", "name"): {"pattern": HOSTNAME_RE.pattern, "maxLength": 63},
    ("Host", "tags"): _TAGS,
}


def config_schema() -> dict[str, Any]:
    """The config's JSON schema (draft 2020-12), strict about keys, with patterns."""
    schema = Config.model_json_schema(mode="validation")
    definitions: dict[str, Any] = schema.get("$defs", {})
    for name, section in [("Config", schema), *definitions.items()]:
        _close(section)
        for key, extra in ((k, v) for (model, k), v in CONSTRAINTS.items() if model == name):
            section["properties"][key].update(extra)
    schema["$schema"] = DIALECT
    schema["title"] = "palette-tailscale config, version 1"
    return schema


def _close(section: dict[str, Any]) -> None:
    """No keys beyond the section's own (the models allow them only to warn about them)."""
    if "properties" in section:
        section["additionalProperties"] = False
