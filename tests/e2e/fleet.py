"""A fleet made the way an operator makes it, against a real Headscale: a config and inventory,
``palette-tailscale fleet provision`` (our Headscale backend mints one key per host),
``palette-tailscale render`` (the installer user-data), and hosts that boot with both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from .headscale import Headscale
from .host import Boot, EdgeHost, Tools

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
  k8s_version: 1.30.5
  image_registry: registry.example.invalid
  custom_tag: e2e
tailscale:
  login_server: {login_server}
  auth_key: {{env: E2E_AUTH_KEY}}
  tags: [{tag}]
  hostname: "{{name}}"
  deadline: {deadline}
  up_timeout: {up_timeout}
  key:
    expiry: 1d
hosts:
{hosts}
"""


def cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """palette-tailscale as a user runs it (inside the tier's namespace, like everything)."""
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TAILSCALE_", "HEADSCALE_", "PALETTE_", "TS_"))
    }
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "palette_tailscale", *args],
        env=full,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def site_user_data(iso: Path) -> bytes:
    """The site user-data as a host reads it: out of the cidata ISO, by isoinfo."""
    return subprocess.run(
        ["isoinfo", "-i", str(iso), "-R", "-x", "/user-data"],
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout


def key_in(user_data: bytes) -> str:
    """The auth key a site user-data carries: the content of its key step's file."""
    doc = YAML(typ="safe").load(user_data.decode())
    for step in doc["stages"]["network.before"]:
        if step["name"] == "skip-copy-palette-tailscale-authkey":
            return str(step["files"][0]["content"]).strip()
    raise AssertionError("no key step in the site user-data")


@dataclass
class Fleet:
    folder: Path
    server: Headscale
    names: tuple[str, ...]
    login_server: str
    deadline: int = 120
    up_timeout: int = 20
    installer: bytes = b""
    hosts: dict[str, EdgeHost] = field(default_factory=dict)

    @property
    def config(self) -> Path:
        return self.folder / "palette-tailscale.yaml"

    @property
    def out(self) -> Path:
        return self.folder / "fleet"

    def env(self, **more: str) -> dict[str, str]:
        env = {
            "HEADSCALE_URL": self.server.url,
            "HEADSCALE_API_KEY": self.server.api_key,
            "PALETTE_REGISTRATION_TOKEN": REGISTRATION_TOKEN,
        }
        if self.server.minor < 28:  # before 0.28 a pre-auth key needs its user (by ID from 0.26)
            env["HEADSCALE_USER"] = self.server.user_id
        return {**env, **more}

    def write_config(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        hosts = "\n".join(f"  - name: {name}\n    site: site-{name[-4:]}" for name in self.names)
        self.config.write_text(
            CONFIG.format(
                login_server=self.login_server,
                tag=TAG,
                deadline=self.deadline,
                up_timeout=self.up_timeout,
                hosts=hosts,
            )
        )

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return cli(*args, "-c", str(self.config), env=self.env(**env))

    def provision(self) -> None:
        """Config, one minted key and site ISO per host, the installer user-data."""
        self.write_config()
        done = self.run("fleet", "provision", "-o", str(self.out))
        assert done.returncode == 0, done.stderr
        built = self.run("render", "-o", str(self.folder / "build"))
        assert built.returncode == 0, built.stderr
        self.installer = (self.folder / "build" / "user-data").read_bytes()

    def iso(self, name: str) -> Path:
        return self.out / "hosts" / name / f"{name}.iso"

    def site(self, name: str) -> bytes:
        return site_user_data(self.iso(name))

    def key(self, name: str) -> str:
        return key_in(self.site(name))

    def key_id(self, name: str) -> str:
        """The ID of the host's current key, from the provisioning journal."""
        found = ""
        for line in (self.out / "journal.jsonl").read_text().splitlines():
            record = json.loads(line)
            if record.get("host") == name and record.get("event") == "minted":
                found = str(record["key_id"])
        assert found, f"no minted key for {name} in the journal"
        return found

    def server_key(self, name: str) -> dict[str, Any]:
        """What Headscale holds about the host's key."""
        wanted = self.key_id(name)
        (key,) = [k for k in self.server.preauthkeys() if str(k["id"]) == wanted]
        return key

    def host(self, name: str, tools: Tools) -> EdgeHost:
        if name not in self.hosts:
            host = EdgeHost(self.folder / "hosts" / name, tools, name=name)
            host.install(self.installer, self.site(name))
            self.hosts[name] = host
        return self.hosts[name]

    def boot_all(self, tools: Tools, mode: str = "active_mode") -> dict[str, Boot]:
        """Every host powered on at once, as a site does."""
        hosts = [self.host(name, tools) for name in self.names]
        with ThreadPoolExecutor(len(hosts)) as pool:
            boots = list(pool.map(lambda h: h.boot(mode), hosts))
        return dict(zip(self.names, boots, strict=True))

    def shutdown(self) -> None:
        for host in self.hosts.values():
            host.shutdown()
