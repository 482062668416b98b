"""A network namespace with only loopback up, for the whole end-to-end tier.

tailscaled probes gateways (UPnP, NAT-PMP, PCP) and well-known servers by default; nothing of the
tier may reach any address but loopback. A holder process (``unshare --net``) owns the
namespace and brings ``lo`` up; the test process's main thread then joins it with ``setns(2)``,
so every daemon and CLI the tests start (children of that thread) lives in it. Leaving restores
the thread's original namespace.

:func:`outside_loopback` reads the kernel's socket tables of the namespace, so a test can fail
when any socket of the tier is connected to an address outside 127.0.0.0/8 and ::1.
"""

from __future__ import annotations

import ctypes
import ipaddress
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CLONE_NEWNET = 0x40000000

# The holder: bring lo up (SIOCGIFFLAGS/SIOCSIFFLAGS, no iproute2 needed), say so, and live until
# the test process closes its stdin.
HOLDER = r"""
import fcntl, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
req = struct.pack("16sH14x", b"lo", 0)
flags = struct.unpack("16sH14x", fcntl.ioctl(s, 0x8913, req))[1]
fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", flags | 0x1))
print("ready", flush=True)
sys.stdin.read()
"""


class NamespaceError(Exception):
    pass


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise NamespaceError(f"setns(CLONE_NEWNET) failed: {os.strerror(err)}")


@contextmanager
def loopback_only() -> Iterator[int]:
    """Enter a fresh loopback-only network namespace; yields the holder's pid."""
    try:
        holder = subprocess.Popen(
            ["unshare", "--net", "--", sys.executable, "-c", HOLDER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except FileNotFoundError as exc:
        raise NamespaceError("unshare (util-linux) is not installed") from exc
    assert holder.stdout is not None and holder.stdin is not None
    line = holder.stdout.readline()
    if line.strip() != "ready":
        holder.wait(timeout=10)
        raise NamespaceError(
            "cannot create a network namespace (needs root and a kernel that allows "
            f"unshare --net): {holder.stderr.read().strip() if holder.stderr else ''}"
        )
    original = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/proc/{holder.pid}/ns/net", os.O_RDONLY)
    try:
        _setns(target)
        try:
            yield holder.pid
        finally:
            _setns(original)
    finally:
        os.close(target)
        os.close(original)
        holder.stdin.close()
        holder.wait(timeout=10)


def interfaces(pid: int) -> list[str]:
    """The interfaces of the namespace that ``pid`` lives in."""
    lines = Path(f"/proc/{pid}/net/dev").read_text().splitlines()[2:]
    return sorted(line.split(":", 1)[0].strip() for line in lines)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    raw = bytes.fromhex(text)
    if len(raw) == 4:
        return ipaddress.IPv4Address(raw[::-1])
    # /proc shows an IPv6 address as four host-order 32-bit words.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return ipaddress.IPv6Address(words)


def _is_local(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def outside_rows(table: str, rows: list[str]) -> list[str]:
    """Rows of a /proc/net socket table whose local or peer address is outside loopback."""
    found = []
    for row in rows:
        fields = row.split()
        local, peer = fields[1], fields[2]
        for end in (local, peer):
            address = _address(end.split(":")[0])
            if not _is_local(address):
                found.append(f"{table} {local} -> {peer} ({address})")
                break
    return found


def outside_loopback(pid: int) -> list[str]:
    """Sockets in ``pid``'s namespace whose local or peer address is outside loopback."""
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if path.exists():
            found.extend(outside_rows(table, path.read_text().splitlines()[1:]))
    return found
