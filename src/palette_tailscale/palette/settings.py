"""Where the Palette API settings come from: flags over environment over the config file.

* the API key: ``--api-key-file FILE``, else ``PALETTE_API_KEY``, else ``palette.api_key`` (a
  ``{env: NAME}`` or ``{file: PATH}`` reference). It is a secret: it travels in a
  :class:`~palette_tailscale.secrets.Secret` and only ever as the ``ApiKey`` header;
* the URL: ``--base-url``, else ``PALETTE_BASE_URL`` (a full URL, for a self-hosted install
  behind a path or a local test server), else ``https://`` + ``palette.endpoint``;
* the project: ``--project-uid``, else ``--project`` (a name, resolved to its UID through the
  API), else ``palette.project_uid``, else ``palette.project``. No project means the tenant's
  registration tokens are not checked against one, and edge hosts are not scoped by one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..config import LoadedConfig
from ..config.models import check_url
from ..errors import InputError
from ..secrets import Secret
from ..tailnet.http import Timeouts
from ..tailnet.settings import check_credential, read_key_file

DEFAULT_ENDPOINT = "api.spectrocloud.com"
KEY_VARIABLE = "PALETTE_API_KEY"
URL_VARIABLE = "PALETTE_BASE_URL"


@dataclass(frozen=True, slots=True)
class PaletteSettings:
    """Everything needed to talk to Palette; the key is a :class:`Secret`."""

    base_url: str = f"https://{DEFAULT_ENDPOINT}"
    api_key: Secret | None = None
    project: str | None = None  # a name, resolved to its UID when needed
    project_uid: str | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)


@dataclass(frozen=True, slots=True)
class PaletteFlags:
    """The command-line layer (all optional)."""

    base_url: str | None = None
    api_key_file: str | None = None
    project: str | None = None
    project_uid: str | None = None
    timeout: float | None = None


def _env(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _url(value: str, where: str) -> str:
    url = value.strip().rstrip("/")
    try:
        return check_url(url)
    except ValueError:
        raise InputError(
            f"{where}: {value!r} is not a URL like https://palette.example.com"
        ) from None


def _key(
    loaded: LoadedConfig | None, env: Mapping[str, str], flags: PaletteFlags, *, optional: bool
) -> Secret | None:
    if flags.api_key_file:
        return read_key_file(flags.api_key_file)
    if value := _env(env, KEY_VARIABLE):
        where = f"environment variable {KEY_VARIABLE}"
        return check_credential(Secret(value, where), where)
    source = loaded.config.palette.api_key if loaded else None
    if source is None or loaded is None:
        return None
    try:
        return loaded.secret(source, ("palette", "api_key"))
    except InputError:
        if optional:  # an unset reference means "no key available", not an error, here
            return None
        raise


def resolve_palette_settings(
    loaded: LoadedConfig | None,
    env: Mapping[str, str],
    flags: PaletteFlags | None = None,
    *,
    key_optional: bool = False,
) -> PaletteSettings:
    """Merge the three layers. With ``key_optional`` an unset key reference gives no key."""
    flags = flags or PaletteFlags()
    palette = loaded.config.palette if loaded else None
    if flags.base_url is not None:  # given empty: refused, not the default endpoint
        base = _url(flags.base_url, "--base-url")
    elif value := _env(env, URL_VARIABLE):
        base = _url(value, URL_VARIABLE)
    else:
        base = f"https://{palette.endpoint if palette else DEFAULT_ENDPOINT}"
    if flags.project_uid or flags.project:
        project, project_uid = flags.project, flags.project_uid
    else:
        project = palette.project if palette else None
        project_uid = palette.project_uid if palette else None
    timeouts = Timeouts(min(10.0, flags.timeout), flags.timeout) if flags.timeout else Timeouts()
    return PaletteSettings(
        base_url=base,
        api_key=_key(loaded, env, flags, optional=key_optional),
        project=project or None,
        project_uid=project_uid or None,
        timeouts=timeouts,
    )
