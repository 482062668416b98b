"""Where the API credentials come from, and :func:`connect` to turn them into a backend.

Each value is taken from, in increasing priority: the config file's ``tailscale.api`` section
(``tailscale.login_server`` selects Headscale), the environment (the Terraform provider's
names: ``TAILSCALE_API_KEY``, ``TAILSCALE_OAUTH_CLIENT_ID``, ``TAILSCALE_OAUTH_CLIENT_SECRET``,
``TAILSCALE_TAILNET``, ``TAILSCALE_BASE_URL``; Headscale: ``HEADSCALE_URL``,
``HEADSCALE_API_KEY``, ``HEADSCALE_USER``), and the command-line flags. An API key is never a
flag value: ``--api-key-file`` names a file holding it. Within one layer an API key wins over
OAuth client credentials.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..config import LoadedConfig
from ..config.models import check_text, check_url
from ..config.secretref import MAX_SECRET_BYTES
from ..errors import InputError
from ..inputfile import read_limited
from ..secrets import Secret
from .http import Timeouts

Provider = Literal["tailscale", "headscale"]
TAILSCALE_URL = "https://api.tailscale.com"


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """Everything needed to talk to one tailnet; secrets are :class:`Secret`."""

    provider: Provider = "tailscale"
    base_url: str = TAILSCALE_URL
    tailnet: str = "-"
    api_key: Secret | None = None
    oauth_client_id: str | None = None
    oauth_client_secret: Secret | None = None
    headscale_user: str | None = None
    auth_scheme: Literal["bearer", "basic"] = "bearer"
    timeouts: Timeouts = field(default_factory=Timeouts)


@dataclass(frozen=True, slots=True)
class ApiFlags:
    """The command-line layer (all optional)."""

    provider: Provider | None = None
    base_url: str | None = None
    tailnet: str | None = None
    api_key_file: str | None = None
    timeout: float | None = None


def read_key_file(path: str) -> Secret:
    label = f"--api-key-file {path}"
    raw = read_limited(Path(path).expanduser(), limit=MAX_SECRET_BYTES, label=label)
    try:
        value = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise InputError(f"{label}: not UTF-8 text") from None
    if not value:
        raise InputError(f"{label}: the file is empty")
    return check_credential(Secret(value, f"file {path}"), label)


# Keys, tokens and client secrets are printable ASCII without spaces; anything else (a line
# break above all) would be sent as part of an HTTP header.
_CREDENTIAL_RE = re.compile(r"^[\x21-\x7e]+$")


def check_credential(secret: Secret, where: str) -> Secret:
    """``secret`` when it could travel in an HTTP header; :class:`InputError` naming ``where``."""
    if not _CREDENTIAL_RE.fullmatch(secret.reveal()):
        raise InputError(
            f"{where}: the API key holds a line break, a space or a character that is not "
            "printable ASCII; check the value"
        )
    return secret


def _name(value: str, where: str) -> str:
    """A tailnet or user name from a flag or the environment: short, printable, one word."""
    if not value.strip():
        raise InputError(f"{where}: give a name, not an empty one")
    try:
        check_text(value)
    except ValueError as exc:
        raise InputError(f"{where} {value[:40]!r}: {exc}") from None
    if any(c.isspace() for c in value):
        raise InputError(f"{where} {value!r}: a name without spaces")
    return value


def _base_url(url: str, where: str) -> str:
    try:
        return check_url(url)
    except ValueError as exc:
        raise InputError(f"{where} {quoted(url)}: {exc}") from None


def quoted(value: str, limit: int = 100) -> str:
    """A value the user gave, as an error message quotes it: escaped, and cut when long."""
    cut = value if len(value) <= limit else f"{value[: limit - 20]}…{value[-10:]}"
    return repr(cut)


def _env(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _env_secret(env: Mapping[str, str], name: str) -> Secret | None:
    value = _env(env, name)
    if value is None:
        return None
    where = f"environment variable {name}"
    return check_credential(Secret(value, where), where)


def _flag_or_env_url(flag: str | None, env: Mapping[str, str], name: str) -> str | None:
    if flag is not None:  # given empty (`--base-url "$UNSET"`): refused, not the default
        return _base_url(flag.strip(), "--base-url")
    value = _env(env, name)
    return _base_url(value, name) if value else None


def _provider(loaded: LoadedConfig | None, env: Mapping[str, str], flags: ApiFlags) -> Provider:
    if flags.provider:
        return flags.provider
    ts = loaded.config.tailscale if loaded else None
    if ts and ts.api.provider:
        return ts.api.provider
    if ts and ts.login_server:
        return "headscale"
    ts_creds = _env(env, "TAILSCALE_API_KEY") or _env(env, "TAILSCALE_OAUTH_CLIENT_ID")
    return "headscale" if _env(env, "HEADSCALE_URL") and not ts_creds else "tailscale"


def _config_secret(loaded: LoadedConfig | None, name: str) -> Secret | None:
    if loaded is None:
        return None
    source = getattr(loaded.config.tailscale.api, name)
    if source is None:
        return None
    where = ("tailscale", "api", name)
    return check_credential(
        loaded.secret(source, where), f"{loaded.mark_of(where)}: {source.describe()}"
    )


def resolve_settings(
    loaded: LoadedConfig | None, env: Mapping[str, str], flags: ApiFlags
) -> ApiSettings:
    """Merge the three layers; config secrets are read only when nothing above replaces them."""
    provider = _provider(loaded, env, flags)
    timeouts = Timeouts(min(10.0, flags.timeout), flags.timeout) if flags.timeout else Timeouts()
    if provider == "headscale":
        return _headscale(loaded, env, flags, timeouts)
    return _tailscale(loaded, env, flags, timeouts)


def _tailscale(
    loaded: LoadedConfig | None, env: Mapping[str, str], flags: ApiFlags, timeouts: Timeouts
) -> ApiSettings:
    api = loaded.config.tailscale.api if loaded else None
    base = _flag_or_env_url(flags.base_url, env, "TAILSCALE_BASE_URL") or (api and api.base_url)
    if flags.tailnet is not None:
        tailnet = _name(flags.tailnet, "--tailnet")
    elif value := _env(env, "TAILSCALE_TAILNET"):
        tailnet = _name(value, "TAILSCALE_TAILNET")
    else:
        tailnet = api.tailnet if api else "-"
    key: Secret | None = read_key_file(flags.api_key_file) if flags.api_key_file else None
    client_id = client_secret = None
    if key is None:
        key = _env_secret(env, "TAILSCALE_API_KEY")
    if key is None and (cid := _env(env, "TAILSCALE_OAUTH_CLIENT_ID")):
        client_id = cid
        client_secret = _env_secret(env, "TAILSCALE_OAUTH_CLIENT_SECRET")
    if key is None and client_id is None and api is not None:
        key = _config_secret(loaded, "api_key")
        if key is None and api.oauth_client_id:
            client_id, client_secret = (
                api.oauth_client_id,
                _config_secret(loaded, "oauth_client_secret"),
            )
    return ApiSettings(
        provider="tailscale",
        base_url=_root(base or TAILSCALE_URL, "/api/v2"),
        tailnet=tailnet or "-",
        api_key=key,
        oauth_client_id=client_id,
        oauth_client_secret=client_secret,
        timeouts=timeouts,
    )


def _headscale(
    loaded: LoadedConfig | None, env: Mapping[str, str], flags: ApiFlags, timeouts: Timeouts
) -> ApiSettings:
    ts = loaded.config.tailscale if loaded else None
    base = _flag_or_env_url(flags.base_url, env, "HEADSCALE_URL")
    if not base and ts:
        base = ts.api.base_url or ts.login_server
    key: Secret | None = read_key_file(flags.api_key_file) if flags.api_key_file else None
    if key is None:
        key = _env_secret(env, "HEADSCALE_API_KEY")
    if key is None:
        key = _config_secret(loaded, "api_key")
    user = _env(env, "HEADSCALE_USER")
    user = _name(user, "HEADSCALE_USER") if user else (ts.api.headscale_user if ts else None)
    return ApiSettings(
        provider="headscale",
        base_url=_root(base or "", "/api/v1"),
        tailnet="-",
        api_key=key,
        headscale_user=user,
        timeouts=timeouts,
    )


def _root(url: str, api_prefix: str) -> str:
    url = url.strip().rstrip("/")
    return url[: -len(api_prefix)] if url.endswith(api_prefix) else url
