"""The versioned config file (``version: 1``): pydantic models and their validation.

Unknown keys are allowed by the models and collected afterwards (:func:`unknown_keys`) so the
loader can warn with a position and a did-you-mean, or fail with ``--strict``.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ..device import MIN_TAILSCALE
from ..kairos import is_valid_hostname, is_valid_tag
from ..secrets import looks_like_key
from .secretref import SecretField

# Palette documents skip-copy- for site user-data only: "In the installation step, the Edge
# Installer copies and persists all your user data stages into the configuration files on the
# Edge hosts" (librarium, edge-configuration/skip-copying-stages.md). A key in the installer
# user-data therefore lands in /oem of every host built from the ISO.
INSTALLER_DELIVERY_REFUSED = (
    "installer is refused: Palette's installer copies every stage of the installer user-data, "
    "skip-copy- ones included, to each host's /oem (Palette docs: Sensitive User Data "
    "Handling), so the key would stay on every host built from the ISO; use site (one "
    "single-use key per host on its site medium: palette-tailscale fleet) or none"
)

OS_VERSIONS: dict[str, tuple[str, ...]] = {
    "ubuntu": ("20.04", "22.04", "24.04"),
    "opensuse-leap": ("15.6",),
    "rhel": ("8", "9", "10"),
    "sles": ("5.4", "5.5"),
}
DURATION_RE = re.compile(r"^([1-9][0-9]*)(s|m|h|d)$")
# The patterns the validators below apply, also published in the JSON schema (config/schema.py).
ENDPOINT_PATTERN = r"^[A-Za-z0-9.-]+(:[0-9]+)?$"
K8S_VERSION_PATTERN = r"^v?[0-9]+\.[0-9]+\.[0-9]+([-+][A-Za-z0-9.-]+)?$"
REGISTRY_PATTERN = r"^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._/-]+)?$"
REPO_PATTERN = r"^[a-z0-9]+([._/-][a-z0-9]+)*$"
CUSTOM_TAG_PATTERN = r"^[a-z0-9]+([._-][a-z0-9]+)*$"
ISO_NAME_PATTERN = r"^[a-z0-9_-]+$"
PE_VERSION_PATTERN = r"^v[0-9]+\.[0-9]+\.[0-9]+$"
ARG_KEY_PATTERN = r"^[A-Z_][A-Z0-9_]*$"
TAILSCALE_VERSION_PATTERN = r"^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
LOGIN_SERVER_PATTERN = r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/\S*)?$"
UP_ARG_PATTERN = r"^--[a-z][a-z0-9-]*(=\S*)?$"
HOSTNAME_TEMPLATE_PATTERN = r"^([a-z0-9-]|\{name\}|\{site\})+$"
_DURATION_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


MAX_DURATION_DAYS = 36500  # no key, token or age this tool deals in is longer than a century


def duration_seconds(text: str) -> int:
    """``"7d"`` → 604800. Raises ValueError on anything else, and past a hundred years (a date
    that far off is beyond what dates can hold, or an error)."""
    match = DURATION_RE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text[:40]!r} is not a duration like 30m, 12h or 7d")
    digits, unit = match.group(1), _DURATION_SECONDS[match.group(2)]
    if len(digits) > 12 or int(digits) * unit > MAX_DURATION_DAYS * 86400:
        raise ValueError(f"{text[:40]!r} is longer than {MAX_DURATION_DAYS} days")
    return int(digits) * unit


_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
NAME_MAX = 128  # a project, user or tailnet name; longer text is a mistake or an attack
_URL_RE = re.compile(
    r"^https?://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?)"
    r"(?::(?P<port>[0-9]{1,5}))?(?P<path>/[\x21-\x7e]*)?$"
)
URL_WANTED = "a URL starting with http:// or https:// and a host, e.g. https://api.tailscale.com"


def check_text(value: str, *, max_len: int = NAME_MAX) -> str:
    """A name that goes into rendered user-data or a request: short, printable, not a key."""
    if len(value) > max_len:
        raise ValueError(f"at most {max_len} characters (this one has {len(value)})")
    bad = _CONTROL_RE.search(value)
    if bad:
        raise ValueError(f"control character U+{ord(bad.group()):04X} is not allowed")
    if _SURROGATE_RE.search(value):  # what Python makes of bytes that are not UTF-8 (argv)
        raise ValueError("not UTF-8 text")
    if looks_like_key(value):
        raise ValueError(
            "this looks like an auth key; a key belongs in tailscale.auth_key "
            "as {env: NAME} or {file: PATH}"
        )
    return value


def check_url(value: str) -> str:
    """An API base URL: ``http://`` or ``https://``, a host (a DNS name, IPv4 or ``[IPv6]``),
    an optional port and a path of printable ASCII.

    What no connection could use is refused here, by name, rather than when the HTTP client
    meets it: an empty or over-long label (``a..b``), a port out of range, a control character.
    """
    match = _URL_RE.fullmatch(value) if len(value) <= 2048 else None
    if match is None:
        raise ValueError(URL_WANTED)
    host, port = match["host"], match["port"]
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise ValueError(f"{host} is not an IPv6 address") from None
    else:
        name = host.removesuffix(".")
        if len(name) > 253 or any(len(label) > 63 for label in name.split(".")):
            raise ValueError("a host name has labels of at most 63 characters, 253 in all")
    if port is not None and not 0 < int(port) <= 65535:
        raise ValueError(f"port {port} is not between 1 and 65535")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


def _check_tags(tags: list[str]) -> list[str]:
    for tag in tags:
        if looks_like_key(tag):  # it would be taken for a key leaking into the user-data
            raise ValueError(f"{tag!r} looks like an auth key; choose another tag name")
        if not is_valid_tag(tag):
            raise ValueError(
                f"{tag!r} is not a tag: write tag:NAME (a letter, then letters, digits or hyphens)"
            )
    if len(set(tags)) != len(tags):
        raise ValueError("tags must be unique")
    return tags


class Palette(_Model):
    """Where the host registers: the Palette API endpoint, the project and the token."""

    endpoint: str = Field(
        "api.spectrocloud.com",
        description="Palette API host, no scheme; the API is https://HOST unless "
        "PALETTE_BASE_URL says otherwise.",
    )
    project: str | None = Field(
        None,
        description="Project name (stylus.site.projectName); resolved to its UID for API calls.",
    )
    project_uid: str | None = Field(None, description="Project UID (stylus.site.projectUid).")
    registration_token: SecretField | None = Field(
        None, description="Edge host registration token (stylus.site.edgeHostToken)."
    )
    api_key: SecretField | None = Field(
        None,
        description="Palette API key (PALETTE_API_KEY) for token checks, pre-registration "
        "and fleet status; never written into any output.",
    )

    @field_validator("project", "project_uid")
    @classmethod
    def _names(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value)

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if "://" in value or "/" in value or not re.fullmatch(ENDPOINT_PATTERN, value):
            raise ValueError(
                "write the API host alone, without scheme or path (e.g. api.spectrocloud.com)"
            )
        return value


class CanvOS(_Model):
    """The CanvOS build arguments written to ``.arg``."""

    os_distribution: Literal["ubuntu", "opensuse-leap", "rhel", "sles"] = Field(
        "ubuntu", description="CanvOS OS_DISTRIBUTION."
    )
    os_version: str = Field(
        "22.04",
        description="ubuntu 20.04/22.04/24.04, opensuse-leap 15.6, rhel 8/9/10, sles 5.4/5.5.",
    )
    arch: Literal["amd64", "arm64"] = Field("amd64", description="Target architecture (ARCH).")
    k8s_distribution: Literal["k3s", "rke2", "kubeadm", "kubeadm-fips", "nodeadm", "canonical"] = (
        Field("k3s", description="K8S_DISTRIBUTION.")
    )
    k8s_version: str = Field(
        "1.30.5",
        description="One Kubernetes version (pinned: an empty "
        "value makes CanvOS build every version).",
    )
    image_registry: str = Field(
        "ttl.sh", description="Registry for provider images, no scheme (IMAGE_REGISTRY)."
    )
    image_repo: str | None = Field(None, description="Defaults to the OS distribution.")
    custom_tag: str = Field("palette-tailscale", description="Image tag suffix (CUSTOM_TAG).")
    iso_name: str = Field(
        "palette-edge-installer", description="Installer ISO file name (ISO_NAME)."
    )
    pe_version: str | None = Field(None, description="Palette Edge version, e.g. v4.5.3.")
    base_image: str | None = Field(None, description="BASE_IMAGE override (an image reference).")
    update_kernel: bool = Field(False, description="UPDATE_KERNEL.")
    extra_args: dict[str, str] = Field(
        default_factory=dict, description="Further KEY: value lines for .arg."
    )

    @field_validator("os_version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError(f"quote the OS version: YAML read it as the number {value}")
        return value

    @field_validator("k8s_version")
    @classmethod
    def _k8s_version(cls, value: str) -> str:
        if not re.fullmatch(K8S_VERSION_PATTERN, value):
            raise ValueError("write one version such as 1.30.5")
        return value

    @field_validator("image_registry")
    @classmethod
    def _registry(cls, value: str) -> str:
        if "://" in value or not re.fullmatch(REGISTRY_PATTERN, value):
            raise ValueError("a registry host (and optional path) without scheme, e.g. ttl.sh")
        return value

    @field_validator("image_repo")
    @classmethod
    def _repo(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(REPO_PATTERN, value):
            raise ValueError("lowercase letters, digits and . _ / - only")
        return value

    @field_validator("custom_tag")
    @classmethod
    def _tag(cls, value: str) -> str:
        if not re.fullmatch(CUSTOM_TAG_PATTERN, value):
            raise ValueError("lowercase letters and digits (with . _ - inside) only")
        return value

    @field_validator("iso_name")
    @classmethod
    def _iso(cls, value: str) -> str:
        if not re.fullmatch(ISO_NAME_PATTERN, value):
            raise ValueError("lowercase letters, digits, _ and - only")
        return value

    @field_validator("pe_version")
    @classmethod
    def _pe(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(PE_VERSION_PATTERN, value):
            raise ValueError("write a Palette Edge version like v4.5.3")
        return value

    @field_validator("extra_args")
    @classmethod
    def _extra(cls, value: dict[str, str]) -> dict[str, str]:
        for key, item in value.items():
            if not re.fullmatch(ARG_KEY_PATTERN, key):
                raise ValueError(f"{key!r}: .arg keys are UPPER_CASE names")
            if "\n" in item or "$" in item or "`" in item:
                raise ValueError(f"{key}: values are literal one-line text (no $, no backquote)")
        return value

    @field_validator("os_version")
    @classmethod
    def _os(cls, value: str, info: ValidationInfo) -> str:
        distribution = info.data.get("os_distribution")
        allowed = OS_VERSIONS.get(distribution or "", ())
        if allowed and value not in allowed:
            raise ValueError(
                f"{value!r} is not a CanvOS {distribution} version (one of {', '.join(allowed)})"
            )
        return value

    @property
    def repo(self) -> str:
        return self.image_repo or self.os_distribution


class Install(_Model):
    """How Tailscale gets into the image."""

    method: Literal["auto", "apt", "zypper", "rpm", "static"] = Field(
        "auto", description="auto picks by OS at build time (apt, zypper or rpm)."
    )
    version: str | None = Field(None, description="Pin, e.g. 1.76.6 (held against upgrades).")
    track: Literal["stable", "unstable"] = Field("stable", description="Package track.")
    sha256: dict[Literal["amd64", "arm64"], str] = Field(
        default_factory=dict, description="static: sha256 of the tarball per architecture."
    )

    @field_validator("version")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not re.fullmatch(TAILSCALE_VERSION_PATTERN, value):
            raise ValueError("a Tailscale version like 1.76.6")
        major, minor = (int(part) for part in value.split(".")[:2])
        if (major, minor) < MIN_TAILSCALE:
            oldest = ".".join(str(n) for n in MIN_TAILSCALE)
            raise ValueError(
                f"{value} is older than {oldest}, the oldest Tailscale the enrollment script "
                "drives: it passes --auth-key=file: (1.16), the --auth-key spelling (1.22) and "
                "--timeout (1.26)"
            )
        return value

    @field_validator("sha256")
    @classmethod
    def _sha(cls, value: dict[str, str]) -> dict[str, str]:
        for arch, digest in value.items():
            if not re.fullmatch(SHA256_PATTERN, digest):
                raise ValueError(f"{arch}: a sha256 is 64 lowercase hex digits")
        return value


class KeyPolicy(_Model):
    """The auth keys the tool mints (fleet provisioning, ``keys create``)."""

    expiry: str = Field("7d", description="Key lifetime, e.g. 12h or 7d (at most 90d).")
    reusable: bool = Field(False, description="Reusable keys (default: single-use).")
    ephemeral: bool = Field(False, description="Ephemeral nodes (removed after going offline).")
    preauthorized: bool = Field(True, description="Skip device approval.")

    @field_validator("expiry")
    @classmethod
    def _expiry(cls, value: str) -> str:
        if duration_seconds(value) > 90 * 86400:
            raise ValueError("auth keys live at most 90 days")
        return value


class Api(_Model):
    """Credentials for the tailnet API (Tailscale v2 or Headscale v1)."""

    provider: Literal["tailscale", "headscale"] | None = Field(
        None, description="Defaults to headscale when login_server is set."
    )
    base_url: str | None = Field(
        None, description="API base URL (TAILSCALE_BASE_URL or HEADSCALE_URL)."
    )
    tailnet: str = Field(
        "-", description="Tailnet (TAILSCALE_TAILNET); - means the credential's own."
    )
    api_key: SecretField | None = Field(
        None, description="API access token (TAILSCALE_API_KEY or HEADSCALE_API_KEY)."
    )
    oauth_client_id: str | None = Field(
        None, description="OAuth client id (TAILSCALE_OAUTH_CLIENT_ID)."
    )
    oauth_client_secret: SecretField | None = Field(
        None, description="OAuth client secret (TAILSCALE_OAUTH_CLIENT_SECRET)."
    )
    headscale_user: str | None = Field(
        None, description="Headscale user (name or ID) owning minted keys."
    )

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)

    @field_validator("tailnet", "oauth_client_id", "headscale_user")
    @classmethod
    def _names(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value)


class Tailscale(_Model):
    """Tailscale on the host: install, enrollment, flags."""

    login_server: str | None = Field(None, description="Headscale URL (passed as --login-server).")
    install: Install = Field(default_factory=Install, description="See tailscale.install.")
    auth_key: SecretField | None = Field(None, description="The auth key the hosts join with.")
    auth_key_delivery: Literal["site", "none"] = Field(
        "site",
        description="site: each host's own key on its site medium (palette-tailscale fleet); "
        "none: delivered by other means. (installer is refused: Palette copies the installer "
        "user-data, skip-copy- steps included, to every host.)",
    )
    tags: list[str] = Field(
        default_factory=list, description="ACL tags (tag:NAME) for the hosts and their keys."
    )
    hostname: str = Field("{name}", description="Tailscale hostname template: {name}, {site}.")
    ssh: bool = Field(False, description="tailscale up --ssh.")
    accept_routes: bool = Field(False, description="tailscale up --accept-routes.")
    accept_dns: bool = Field(True, description="tailscale up --accept-dns.")
    advertise_routes: list[str] = Field(
        default_factory=list, description="Subnet routes to advertise (CIDR prefixes)."
    )
    advertise_exit_node: bool = Field(False, description="tailscale up --advertise-exit-node.")
    extra_up_args: list[str] = Field(
        default_factory=list, description="Further tailscale up flags (--name or --name=value)."
    )
    deadline: int = Field(300, ge=30, le=3600, description="Seconds enrollment may take per boot.")
    up_timeout: int = Field(60, ge=5, le=600, description="Seconds for each tailscale up try.")
    persist_state: bool = Field(True, description="Add /var/lib/tailscale to install.bind_mounts.")
    key: KeyPolicy = Field(default_factory=KeyPolicy, description="See tailscale.key.")
    api: Api = Field(default_factory=Api, description="See tailscale.api.")

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return _check_tags(value)

    @field_validator("auth_key_delivery", mode="before")
    @classmethod
    def _delivery(cls, value: object) -> object:
        if value == "installer":
            raise ValueError(INSTALLER_DELIVERY_REFUSED)
        return value

    @field_validator("login_server")
    @classmethod
    def _login(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(LOGIN_SERVER_PATTERN, value):
            raise ValueError("a URL like https://headscale.example.com")
        return None if value is None else check_url(value)

    @field_validator("advertise_routes")
    @classmethod
    def _routes(cls, value: list[str]) -> list[str]:
        for route in value:
            try:
                ipaddress.ip_network(route, strict=True)
            except ValueError as exc:
                raise ValueError(f"{route!r} is not a network prefix: {exc}") from None
        return value

    @field_validator("extra_up_args")
    @classmethod
    def _extra(cls, value: list[str]) -> list[str]:
        for arg in value:
            if not re.fullmatch(UP_ARG_PATTERN, arg):
                raise ValueError(f"{arg!r}: write flags as --name or --name=value")
            name = arg.split("=", 1)[0]
            if name in ("--auth-key", "--authkey", "--client-secret"):
                raise ValueError("the key is passed by the enrollment script; use auth_key")
            if name in ("--hostname", "--timeout", "--login-server", "--advertise-tags"):
                raise ValueError(f"{name} is set from its own config key")
        return value

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, value: str) -> str:
        sample = value.replace("{name}", "edge-1").replace("{site}", "site-1")
        if "{" in sample or "}" in sample:
            raise ValueError("the hostname template knows {name} and {site} only")
        if not is_valid_hostname(sample):
            raise ValueError(f"{value!r} does not make a lowercase DNS label (a-z, 0-9, -)")
        return value

    @property
    def provider(self) -> str:
        return self.api.provider or ("headscale" if self.login_server else "tailscale")


class HostPalette(_Model):
    """Per-host Palette settings."""

    project: str | None = Field(None, description="Palette project name for this host.")
    tags: dict[str, str] = Field(
        default_factory=dict, description="Palette tags (stylus.site.tags)."
    )

    @field_validator("project")
    @classmethod
    def _project(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        for key, item in value.items():
            check_text(key)
            check_text(item)
        return value


class Host(_Model):
    """One edge host of the fleet."""

    name: str = Field(description="Edge host name: a lowercase DNS label (stylus.site.name).")
    serial: str | None = Field(None, description="Serial number or UUID (unique).")
    site: str | None = Field(None, description="Site name ({site} in templates).")
    tags: list[str] = Field(default_factory=list, description="Extra tags for this host.")
    palette: HostPalette = Field(default_factory=HostPalette, description="See hosts.palette.")

    @field_validator("serial", "site")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not is_valid_hostname(value):
            raise ValueError(
                f"{value!r} is not a lowercase DNS label of at most 63 characters "
                "(a-z, 0-9, -, no hyphen at either end)"
            )
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return _check_tags(value)


class HostsFrom(_Model):
    """Hosts read from a CSV or YAML inventory file."""

    from_: str = Field(alias="from", description="Path of a CSV or YAML inventory.")


class UserData(_Model):
    """The user's own user-data, passed through into what the tool renders."""

    extra: dict[str, Any] = Field(
        default_factory=dict, description="Merged into the installer user-data."
    )
    site_extra: dict[str, Any] = Field(
        default_factory=dict, description="Merged into each host's site user-data."
    )


class Config(_Model):
    """palette-tailscale config, version 1."""

    version: Literal[1] = Field(description="Config format version: 1.")
    palette: Palette = Field(default_factory=Palette, description="See palette.")
    canvos: CanvOS = Field(default_factory=CanvOS, description="See canvos.")
    tailscale: Tailscale = Field(default_factory=Tailscale, description="See tailscale.")
    hosts: list[Host] | HostsFrom = Field(
        default_factory=list,
        description="Inline hosts, or {from: PATH} naming a CSV or YAML inventory.",
    )
    userdata: UserData = Field(default_factory=UserData, description="See userdata.")

    @field_validator("hosts")
    @classmethod
    def _unique(cls, value: list[Host] | HostsFrom) -> list[Host] | HostsFrom:
        if isinstance(value, list):
            seen: set[str] = set()
            for host in value:
                if host.name in seen:
                    raise ValueError(f"host {host.name!r} appears twice")
                seen.add(host.name)
        return value


def unknown_keys(
    model: BaseModel, path: tuple[Any, ...] = ()
) -> list[tuple[tuple[Any, ...], list[str]]]:
    """Every ``(path, extra_key, known_keys)`` the user wrote that no model knows."""
    found: list[tuple[tuple[Any, ...], list[str]]] = []
    known = [f.alias or name for name, f in type(model).model_fields.items()]
    for key in model.model_extra or {}:
        found.append(((*path, key), known))
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        key = field.alias or name
        if isinstance(value, BaseModel):
            found.extend(unknown_keys(value, (*path, key)))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found.extend(unknown_keys(item, (*path, key, i)))
    return found
