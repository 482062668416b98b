"""A simulated Kairos edge host: real yip runs our files, real tailscaled joins real Headscale.

Each boot runs in a mount and UTS namespace of its own (``unshare --mount --uts``; the network
namespace is the tier's, loopback only). Inside, a small root is assembled on a tmpfs: the
machine's ``/usr`` and ``/etc`` read-only, and private folders that persist across boots the way
a Kairos install keeps them:

=====================  ==========================================  ==========================
path on the host       what it is on Kairos                        here
=====================  ==========================================  ==========================
``/oem``               COS_OEM: installer and site user-data       ``<host>/oem`` (persists)
``/usr/local``         COS_PERSISTENT                              ``<host>/usr-local``
``/var/lib/tailscale`` bind-mounted persistent state               ``<host>/tailscale``
``/var/log``           persisted                                   ``<host>/log``
``/run``               tmpfs, empty at every boot                  ``<host>/run`` (wiped)
``/system/oem``        the image's own cloud-config                ``<host>/system-oem``
=====================  ==========================================  ==========================

A live installer boot (``live_mode``) and a recovery or auto-reset boot have no persistent
partition: ``/usr/local``, ``/var/lib/tailscale`` and ``/oem`` are then scratch folders, empty at
every such boot except for the user-data given to :meth:`EdgeHost.boot` (the live medium's).

The host name is ``localhost``, as early in a real boot. A boot runs the real yip over
``/system/oem``, ``/oem`` and ``/usr/local/cloud-config`` for every stage as
``kairos-agent run-stage`` does (``S.before``, ``S``, ``S.after``, each over the three folders
in turn), after writing the mode marker (``active_mode``...). Only two programs are stand-ins,
first on PATH: ``systemctl`` (``start tailscaled``, with any options, launches the real
tailscaled in userspace networking mode with the host's state folder and socket; as systemd
would at boot, the harness starts it once before the ``boot`` stage) and ``tailscale`` (the
real CLI, told that socket). Every file our user-data installs, and every command it runs, is
exactly what the rendered files say.

A boot "with systemd" (``boot(systemd=True)``) adds ``/run/systemd/system`` (what
``sd_booted()`` checks) and a third stand-in, ``systemd-run``, which starts the command it is
given detached, with its ``--setenv`` variables, and returns at once, as ``--no-block`` does.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

STAGES = ("rootfs", "initramfs", "fs", "boot", "network")
SOURCES = ("/system/oem", "/oem", "/usr/local/cloud-config")
MODES = ("active_mode", "passive_mode", "recovery_mode", "autoreset_mode", "live_mode")

# tailscaled's knobs for an offline run, as Tailscale's own integration tests set them: no
# pausing for "no network" (only lo is up), no port mapping probes, no log upload, and a panic
# rather than any attempt to reach Tailscale's own control plane.
DAEMON_ENV = (
    "TS_ASSUME_NETWORK_UP_FOR_TEST=1",
    "TS_DISABLE_PORTMAPPER=1",
    "TS_DISABLE_UPNP=true",
    "TS_NO_LOGS_NO_SUPPORT=true",
    "TS_PANIC_IF_HIT_MAIN_CONTROL=1",
    "TS_LOGS_DIR=/var/log/tailscale",
)

SYSTEMCTL = """#!/bin/sh
# Stand-in for systemctl on the simulated host. `start tailscaled` (with any options) launches the
# real tailscaled as its packaged unit would, in userspace networking mode; every other call is
# recorded and succeeds.
printf '%s\\n' "$*" >>/var/log/e2e-systemctl.calls
verb= unit=
for word in "$@"; do
    case $word in
        -*) ;;
        *) if [ -z "$verb" ]; then verb=$word; elif [ -z "$unit" ]; then unit=$word; fi ;;
    esac
done
case "$verb:${unit%.service}" in
    start:tailscaled | restart:tailscaled)
        if [ -f /run/tailscaled.pid ] && kill -0 "$(cat /run/tailscaled.pid)" 2>/dev/null; then
            exit 0
        fi
        mkdir -p /run/tailscale /var/lib/tailscale /var/log/tailscale
        env DAEMON_ENV setsid /opt/e2e/bin/tailscaled --tun=userspace-networking \\
            --statedir=/var/lib/tailscale --socket=/run/tailscale/tailscaled.sock --port=0 \\
            --no-logs-no-support >>/var/log/tailscaled.log 2>&1 </dev/null &
        echo $! >/run/tailscaled.pid
        ;;
    is-active:tailscaled)
        [ -f /run/tailscaled.pid ] && kill -0 "$(cat /run/tailscaled.pid)" 2>/dev/null
        ;;
esac
"""

SYSTEMD_RUN = """#!/bin/sh
# Stand-in for systemd-run on a simulated host booted "with systemd": records the call, then
# starts the command detached with the --setenv variables, as a transient unit would run it,
# and returns at once (the real one with --no-block only queues the start).
printf '%s\\n' "$*" >>/var/log/e2e-systemd-run.calls
env_args=
while [ "$#" -gt 0 ]; do
    case $1 in
        --setenv=*) env_args="$env_args ${1#--setenv=}" ;;
        --*) ;;
        *) break ;;
    esac
    shift
done
setsid env $env_args "$@" >>/var/log/e2e-unit.log 2>&1 </dev/null &
echo "Running as unit: palette-tailscale-enroll.service"
"""

TAILSCALE = """#!/bin/sh
# The real tailscale CLI, told the simulated host's tailscaled socket.
exec /opt/e2e/bin/tailscale-real --socket=/run/tailscale/tailscaled.sock "$@"
"""

# Assembles the host's root and runs the inner boot in it. Runs as root in the new mount and
# UTS namespaces; every mount vanishes with the namespace.
OUTER = """#!/bin/sh
set -eu
new=$1
mount -t tmpfs -o mode=0755 pt-e2e-root "$new"
for link in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$link" ]; then cp -P "/$link" "$new/$link"
    elif [ -d "/$link" ]; then mkdir "$new/$link"; mount --rbind "/$link" "$new/$link"; fi
done
for dir in usr etc; do
    mkdir "$new/$dir"; mount --rbind "/$dir" "$new/$dir"; mount -o remount,bind,ro "$new/$dir"
done
for dir in proc sys dev; do mkdir "$new/$dir"; mount --rbind "/$dir" "$new/$dir"; done
mkdir -p "$new/oem" "$new/system/oem" "$new/var/lib/tailscale" "$new/var/log" "$new/run" \\
    "$new/opt/e2e" "$new/root" "$new/tmp"
mount --bind "$PT_E2E_DISK/oem" "$new/oem"
mount --bind "$PT_E2E_HOST/system-oem" "$new/system/oem"
mount --bind "$PT_E2E_DISK/usr-local" "$new/usr/local"
mount --bind "$PT_E2E_DISK/tailscale" "$new/var/lib/tailscale"
mount --bind "$PT_E2E_HOST/log" "$new/var/log"
mount --bind "$PT_E2E_HOST/run" "$new/run"
mount --bind "$PT_E2E_HOST/opt" "$new/opt/e2e"
mount -o remount,bind,ro "$new/opt/e2e"
mount -t tmpfs tmpfs "$new/tmp"
ln -s ../run "$new/var/run"
hostname localhost
exec chroot "$new" /bin/sh /opt/e2e/boot.sh
"""

INNER = """#!/bin/sh
# One boot as Kairos runs it: the mode marker, then every stage through the real yip.
set -u
mkdir -p /run/cos
: >"/run/cos/$PT_E2E_MODE"
if [ "$PT_E2E_SYSTEMD" = 1 ]; then mkdir -p /run/systemd/system; fi  # sd_booted() says yes
times=/var/log/e2e-boot-$PT_E2E_BOOT.times
out=/var/log/e2e-boot-$PT_E2E_BOOT.yip
for stage in $PT_E2E_STAGES; do
    if [ "$stage" = boot ] && [ "$PT_E2E_DAEMON" = 1 ]; then
        systemctl start tailscaled.service  # enabled in the image: systemd starts it at boot
    fi
    for variant in "$stage.before" "$stage" "$stage.after"; do
        echo "$variant $(date +%s.%N)" >>"$times"
        for dir in /system/oem /oem /usr/local/cloud-config; do
            [ -d "$dir" ] || continue
            echo "=== yip -s $variant $dir" >>"$out"
            yip -s "$variant" "$dir" >>"$out" 2>&1
            echo "=== exit $?" >>"$out"
        done
    done
done
echo "done $(date +%s.%N)" >>"$times"
"""


@dataclass(frozen=True)
class Tools:
    yip: Path
    tailscale: Path
    tailscaled: Path


@dataclass
class Boot:
    number: int
    mode: str
    rc: int
    seconds: float
    yip_output: str
    stage_times: dict[str, float] = field(default_factory=dict)

    def command_exits(self) -> list[str]:
        """yip's reports of commands that failed in this boot."""
        return [line for line in self.yip_output.splitlines() if "exit status" in line]


class EdgeHost:
    def __init__(self, home: Path, tools: Tools, *, name: str = "host") -> None:
        self.home = home
        self.name = name
        self.boots = 0
        for sub in ("oem", "system-oem", "usr-local", "tailscale", "log", "run", "opt", "root"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        (home / "usr-local" / "cloud-config").mkdir(exist_ok=True)
        opt = home / "opt"
        (opt / "bin").mkdir(exist_ok=True)
        for target, source in (
            ("yip", tools.yip),
            ("tailscale-real", tools.tailscale),
            ("tailscaled", tools.tailscaled),
        ):
            shutil.copy2(source, opt / "bin" / target)
        env = " ".join(DAEMON_ENV)
        self._script(opt / "bin" / "systemctl", SYSTEMCTL.replace("DAEMON_ENV", env))
        self._script(opt / "bin" / "tailscale", TAILSCALE)
        self._script(opt / "bin" / "systemd-run", SYSTEMD_RUN)
        self._script(opt / "boot.sh", INNER)
        self._script(home / "outer.sh", OUTER)

    @staticmethod
    def _script(path: Path, text: str) -> None:
        path.write_text(text)
        path.chmod(0o755)

    # --- paths as seen from outside ----------------------------------------------------------

    @property
    def oem(self) -> Path:
        return self.home / "oem"

    @property
    def usr_local(self) -> Path:
        return self.home / "usr-local"

    @property
    def state_dir(self) -> Path:
        return self.home / "tailscale"

    @property
    def log_dir(self) -> Path:
        return self.home / "log"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def enroll_log(self) -> str:
        path = self.log_dir / "palette-tailscale.log"
        return path.read_text() if path.exists() else ""

    def key_file(self) -> Path:
        return self.usr_local / "etc" / "palette-tailscale" / "authkey"

    # --- install and boot --------------------------------------------------------------------

    def install(self, installer: bytes | None = None, site: bytes | None = None) -> None:
        """What an install leaves in COS_OEM: the installer user-data as 90_custom.yaml
        (mode 0640), and a site medium's user-data where Kairos's cdrom datasource copies it
        (``/oem/95_userdata/userdata`` and ``userdata.yaml``, mode 0644)."""
        if installer is not None:
            path = self.oem / "90_custom.yaml"
            path.write_bytes(installer)
            path.chmod(0o640)
        if site is not None:
            folder = self.oem / "95_userdata"
            folder.mkdir(exist_ok=True)
            for name in ("userdata", "userdata.yaml"):
                (folder / name).write_bytes(site)
                (folder / name).chmod(0o644)

    def boot(
        self,
        mode: str = "active_mode",
        *,
        daemon: bool = True,
        stages: tuple[str, ...] = STAGES,
        live_oem: dict[str, bytes] | None = None,
        systemd: bool = False,
        timeout: float = 600,
    ) -> Boot:
        """Power on: a fresh /run, the marker, every stage. tailscaled stays up afterwards.

        Active and passive boots use the installed disk; the others get empty scratch folders,
        with ``live_oem`` (relative path: content) in the scratch ``/oem``.
        """
        assert mode in MODES, mode
        self.shutdown()
        shutil.rmtree(self.run_dir)
        self.run_dir.mkdir()
        disk = self.home
        if mode not in ("active_mode", "passive_mode"):
            disk = self.home / "scratch"
            shutil.rmtree(disk, ignore_errors=True)
            for sub in ("oem", "usr-local/cloud-config", "tailscale"):
                (disk / sub).mkdir(parents=True)
            for relative, content in (live_oem or {}).items():
                (disk / "oem" / relative).parent.mkdir(parents=True, exist_ok=True)
                (disk / "oem" / relative).write_bytes(content)
        self.boots += 1
        number = self.boots
        new_root = self.home / "rootfs"
        new_root.mkdir(exist_ok=True)
        env = {
            "PATH": "/opt/e2e/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": "/root",
            "PT_E2E_HOST": str(self.home),
            "PT_E2E_DISK": str(disk),
            "PT_E2E_MODE": mode,
            "PT_E2E_BOOT": str(number),
            "PT_E2E_STAGES": " ".join(stages),
            "PT_E2E_DAEMON": "1" if daemon else "0",
            "PT_E2E_SYSTEMD": "1" if systemd else "0",
        }
        started = time.monotonic()
        proc = subprocess.run(
            [
                "unshare",
                "--mount",
                "--uts",
                "--propagation",
                "private",
                "--",
                "/bin/sh",
                str(self.home / "outer.sh"),
                str(new_root),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        seconds = time.monotonic() - started
        if (
            proc.returncode != 0
            and "unshare" in proc.stderr
            and "Operation not permitted" in proc.stderr
        ):
            raise RuntimeError(f"this kernel refuses mount namespaces: {proc.stderr.strip()}")
        out = self.log_dir / f"e2e-boot-{number}.yip"
        return Boot(
            number=number,
            mode=mode,
            rc=proc.returncode,
            seconds=seconds,
            yip_output=(out.read_text() if out.exists() else "") + proc.stderr,
            stage_times=self.stage_times(number),
        )

    def stage_times(self, number: int) -> dict[str, float]:
        path = self.log_dir / f"e2e-boot-{number}.times"
        if not path.exists():
            return {}
        return {k: float(v) for k, v in (line.split() for line in path.read_text().splitlines())}

    def daemon_pid(self) -> int | None:
        path = self.run_dir / "tailscaled.pid"
        if not path.exists():
            return None
        pid = int(path.read_text().strip() or 0)
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, ValueError):
            return None
        return pid

    def shutdown(self) -> None:
        """Power off: stop tailscaled (its mount namespace goes with it)."""
        pid = self.daemon_pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)

    # --- looking at it -----------------------------------------------------------------------

    def tailscale(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The real CLI against this host's daemon, from outside (the socket is in its /run)."""
        return subprocess.run(
            [
                str(self.home / "opt" / "bin" / "tailscale-real"),
                f"--socket={self.run_dir / 'tailscale' / 'tailscaled.sock'}",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def files_holding(self, secret: str) -> list[Path]:
        """Every file under the host's persistent and runtime folders that holds ``secret``."""
        needle = secret.encode()
        found = []
        for sub in ("oem", "usr-local", "tailscale", "log", "run", "system-oem", "scratch"):
            for path in (self.home / sub).rglob("*"):
                if path.is_file() and not path.is_symlink() and needle in path.read_bytes():
                    found.append(path)
        return found


SECRET = re.compile(r"[th]skey-[A-Za-z0-9_-]+")
