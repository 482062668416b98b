"""Reading an input file the user named, within bounds: size, kind of file, and time.

Every file the tool reads on the user's behalf (the config, an inventory, a secret, a file to
lint) comes through :func:`read_limited`, so none of them can exhaust memory (``/dev/zero``, a
file of gigabytes) or hang the run (a FIFO nobody writes to, ``/proc/kmsg``). Regular files and
FIFOs are read; a FIFO is how a shell passes ``<(command)``, so it is waited for, but only for
``timeout`` seconds. Directories, devices and sockets are refused with a message that says what
they are. Failures are :class:`~palette_tailscale.errors.InputError` (exit 2).
"""

from __future__ import annotations

import os
import select
import stat
import time
from collections.abc import Callable
from typing import Final

from .errors import InputError, Mark

TIMEOUT: Final = 30.0  # seconds a pipe may take to deliver all of its data
_CHUNK: Final = 65536

_KINDS: Final = (
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISCHR, "is a character device, not a file"),
    (stat.S_ISBLK, "is a block device, not a file"),
    (stat.S_ISSOCK, "is a socket, not a file"),
)


def read_limited(
    path: str | os.PathLike[str],
    *,
    limit: int,
    label: str,
    mark: Mark | None = None,
    missing_hint: str | None = None,
    too_large_hint: str | None = None,
    timeout: float = TIMEOUT,
    fifo_ok: bool = True,
) -> bytes:
    """The bytes of ``path``; :class:`InputError` ``"{label}: why"`` when it cannot be read.

    A FIFO is read only when ``fifo_ok``: where a file is also to be replaced (a CanvOS
    checkout's), a FIFO is never one the user passed on purpose and is refused at once.

    At most ``limit`` bytes are read: a larger file is an error (its size is checked first when
    the file system knows it). ``mark`` and the hints go into the error.
    """

    def fail(reason: str, hint: str | None = None) -> InputError:
        return InputError(f"{label}: {reason}", mark=mark, hint=hint)

    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise fail("no such file", missing_hint) from None
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    for test, reason in _KINDS:
        if test(info.st_mode):
            raise fail(reason)
    if stat.S_ISFIFO(info.st_mode) and not fifo_ok:
        raise fail("is a FIFO, not a file")
    if stat.S_ISREG(info.st_mode) and info.st_size > limit:
        raise fail(f"larger than {size_text(limit)} ({info.st_size} bytes)", too_large_hint)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    try:
        return _read_fd(fd, limit, timeout, fail, too_large_hint)
    finally:
        os.close(fd)


def _read_fd(
    fd: int, limit: int, timeout: float, fail: Callable[..., InputError], hint: str | None
) -> bytes:
    """Read to the end; wait for data (a pipe) at most until ``timeout`` seconds have passed.

    A FIFO opened without blocking reads as empty until a writer comes, so every read waits
    for the descriptor to be readable first (a regular file always is).
    """
    deadline = time.monotonic() + timeout
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    data = bytearray()
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not poller.poll(max(1, int(left * 1000))):
            raise fail(f"nothing arrived within {timeout:g} s (a pipe nobody writes to?)")
        try:
            chunk = os.read(fd, _CHUNK)
        except BlockingIOError:
            continue
        except InterruptedError:
            continue
        except OSError as exc:
            raise fail(f"cannot read: {exc.strerror or exc}") from None
        if not chunk:
            return bytes(data)
        data += chunk
        if len(data) > limit:
            raise fail(f"larger than {size_text(limit)}", hint)


def size_text(limit: int) -> str:
    """``16 MiB``, ``8 KiB`` or ``512 bytes``."""
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= size and limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit} bytes"
