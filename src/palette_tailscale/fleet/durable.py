"""Group durability: one file-system sync for every file written before it began.

Provisioning must not journal "written" before a host's files would survive a power cut, but
an fsync per file (three per host) serialises a run on the disk. Threads that wrote their files
call :meth:`GroupSync.wait`; one ``syncfs`` of the output's file system then covers every write
made before it started, so concurrent hosts share it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from pathlib import Path
from typing import Any


def _syncfs_function() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        return getattr(libc, "syncfs", None)
    except OSError:  # pragma: no cover - no C library to load
        return None


_SYNCFS = _syncfs_function()


class GroupSync:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(folder, os.O_RDONLY)
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._requested = 0
        self._done = 0

    def wait(self) -> None:
        """Return once everything this thread wrote before the call is on disk."""
        with self._lock:
            self._requested += 1
            mine = self._requested
        with self._sync_lock:
            if self._done >= mine:
                return
            with self._lock:
                target = self._requested
            self._sync()
            self._done = target

    def _sync(self) -> None:
        if _SYNCFS is None or _SYNCFS(self._fd) != 0:
            os.sync()  # no syncfs (or it failed): sync everything

    def close(self) -> None:
        os.close(self._fd)
