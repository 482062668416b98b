"""A provisioned fleet on a real Headscale: config, inventory, keys, rendered files, hosts."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from .headscale import Headscale
from .host import EdgeHost, Tools

HOSTS = ("edge-e2e-0001", "edge-e2e-0002", "edge-e2e-0003")
TAG = "tag:edge"
REGISTRATION_TOKEN = "e2e-registration-token-not-a-real-one"

CONFIG = """\
version: 1
palette:
  endpoint: palette.example.invalid
  project: Default
  registration_token: {{env: PALETTE_REGISTRATION_TOKEN}}
canvos:
  os_distribution: ubuntu
  os_version: "22.04"
  arch: amd64
  k8s_distribution: k3s
  k8s_version: 1.30.5
  image_registry: registry.example.invalid
  image_repo: ubuntu
  custom_tag: e2e
  iso_name: e2e-installer
tailscale:
  login_server: {login_server}
  auth_key_delivery: site
  tags: [{tag}]
  hostname: "{{name}}"
  deadline: {deadline}
  key:
    expiry: 1d
hosts:
{hosts}
"""


def write_config(
    folder: Path, login_server: str, hosts: tuple[str, ...], *, deadline: int = 120
) -> Path:
    lines = "\n".join(f"  - name: {name}\n    site: site-{name[-4:]}" for name in hosts)
    path = folder / "palette-tailscale.yaml"
    path.write_text(
        CONFIG.format(login_server=login_server, tag=TAG, deadline=deadline, hosts=lines)
    )
    return path


def api_env(server: Headscale) -> dict[str, str]:
    return {
        "HEADSCALE_URL": server.url,
        "HEADSCALE_API_KEY": server.api_key,
        "PALETTE_REGISTRATION_TOKEN": REGISTRATION_TOKEN,
    }


def site_user_data(iso: Path) -> bytes:
    """The site user-data as a host reads it: out of the cidata ISO, by isoinfo."""
    return subprocess.run(
        ["isoinfo", "-i", str(iso), "-R", "-x", "/user-data"],
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout


@dataclass
class Fleet:
    folder: Path
    config: Path
    out: Path
    installer: bytes
    server: Headscale

    def iso(self, name: str) -> Path:
        return self.out / "hosts" / name / f"{name}.iso"

    def host(self, name: str, tools: Tools) -> EdgeHost:
        host = EdgeHost(self.folder / "hosts" / name, tools, name=name)
        host.install(self.installer, site_user_data(self.iso(name)))
        return host
