"""A real Headscale on 127.0.0.1, configured for an offline test and driven by its own CLI.

Config, database, keys and unix socket live in one temporary directory: sqlite, the embedded
DERP server with no DERP URLs (Headscale refuses to start with an empty DERP map) and STUN on
127.0.0.1, no TLS, no remote gRPC, update checks and log upload off, metrics off where the
version allows it (0.26 always listens: on loopback). The user and the API key come from the
``headscale`` CLI over the unix socket; what the tests assert comes from the REST API.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

USER = "edge"
# Who may apply the tags the tests use: the user, as an operator's policy would say it.
POLICY = """{
  "tagOwners": {"tag:edge": ["edge@"], "tag:store": ["edge@"]},
  "acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}]
}
"""


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CONFIG = """\
server_url: http://127.0.0.1:{port}
listen_addr: 127.0.0.1:{port}
metrics_listen_addr: "{metrics}"
grpc_listen_addr: 127.0.0.1:{grpc}
grpc_allow_insecure: false
noise:
  private_key_path: {home}/noise_private.key
prefixes:
  v4: 100.64.0.0/10
  v6: fd7a:115c:a1e0::/48
  allocation: sequential
derp:
  server:
    enabled: true
    region_id: 999
    region_code: headscale
    region_name: Headscale Embedded DERP
    stun_listen_addr: 127.0.0.1:{stun}
    private_key_path: {home}/derp_server_private.key
    automatically_add_embedded_derp_region: true
    ipv4: 127.0.0.1
  urls: []
  paths: []
  auto_update_enabled: false
disable_check_updates: true
database:
  type: sqlite
  sqlite:
    path: {home}/db.sqlite
log:
  level: info
policy:
  mode: file
  path: {home}/policy.hujson
dns:
  magic_dns: false
  base_domain: example.com
  override_local_dns: false
  nameservers:
    global: []
unix_socket: {home}/headscale.sock
unix_socket_permission: "0770"
logtail:
  enabled: false
"""


@dataclass
class Headscale:
    binary: Path
    home: Path
    version: str  # "0.29.2"
    port: int = 0
    api_key: str = ""
    user_id: str = ""
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def config(self) -> Path:
        return self.home / "config.yaml"

    @property
    def minor(self) -> int:
        return int(self.version.split(".")[1])

    def write_config(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        if not self.port:
            self.port = free_port()
        metrics = "" if self.minor >= 29 else f"127.0.0.1:{free_port()}"
        (self.home / "policy.hujson").write_text(POLICY)
        self.config.write_text(
            CONFIG.format(
                port=self.port,
                metrics=metrics,
                grpc=free_port(),
                stun=free_port(socket.SOCK_DGRAM),
                home=self.home,
            )
        )

    def start(self, *, timeout: float = 60) -> None:
        if not self.config.exists():
            self.write_config()
        log = (self.home / "headscale.log").open("ab")
        self.proc = subprocess.Popen(
            [str(self.binary), "-c", str(self.config), "serve"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"headscale exited {self.proc.returncode}:\n{self.log()[-3000:]}"
                )
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"headscale did not answer within {timeout}s:\n{self.log()[-3000:]}")

    def sibling(self, home: Path) -> Headscale:
        """Another server of the same version, started and bootstrapped, in ``home``."""
        other = Headscale(self.binary, home, self.version)
        other.start()
        other.bootstrap()
        return other

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None

    def log(self) -> str:
        path = self.home / "headscale.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- the headscale CLI (over the unix socket) ------------------------------------------

    def cli(self, *args: str) -> str:
        proc = subprocess.run(
            [str(self.binary), "-c", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"headscale {' '.join(args)}: exit {proc.returncode}: {proc.stderr}")
        return proc.stdout

    def bootstrap(self) -> None:
        """Create the user and an API key (the key is the CLI's last output line)."""
        self.cli("users", "create", USER)
        users = json.loads(self.cli("users", "list", "-o", "json"))
        self.user_id = str(next(u["id"] for u in users if u["name"] == USER))
        self.api_key = self.cli("apikeys", "create", "--expiration", "1d").strip().splitlines()[-1]

    # --- the REST API: what the tests assert on --------------------------------------------

    def get(self, path: str, **params: str) -> Any:
        response = httpx.get(
            f"{self.url}/api/v1/{path}",
            params=params,
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def nodes(self) -> list[dict[str, Any]]:
        return list(self.get("node").get("nodes", []))

    def preauthkeys(self) -> list[dict[str, Any]]:
        if self.minor >= 28:
            return list(self.get("preauthkey").get("preAuthKeys", []))
        return list(self.get("preauthkey", user=self.user_id).get("preAuthKeys", []))

    def node_tags(self, node: dict[str, Any]) -> list[str]:
        if "tags" in node:
            return sorted(node["tags"])
        return sorted(set(node.get("forcedTags", [])) | set(node.get("validTags", [])))

    def wait_for(self, predicate: Any, *, timeout: float, what: str) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        nodes = self.nodes()
        while not predicate(nodes) and time.monotonic() < deadline:
            time.sleep(0.5)
            nodes = self.nodes()
        if not predicate(nodes):
            raise AssertionError(f"{what} within {timeout}s; Headscale has {nodes}")
        return nodes
