"""Forked worker processes that live and die with the run that started them.

``fleet render`` and ``lint`` fork pools of workers. Ctrl-C reaches the whole process group,
but stopping is the parent's job (leaving its pool terminates the workers), so a worker ignores
it instead of printing a traceback; SIGTERM ends a worker at once, without the parent's handler
(which raises). On Linux the kernel also sends SIGTERM when the parent dies, even by
``kill -9``; elsewhere :func:`orphaned` lets a worker notice between tasks.
"""

from __future__ import annotations

import ctypes
import os
import signal
from typing import Final

_PR_SET_PDEATHSIG: Final = 1  # linux/prctl.h
_parent: list[int] = []


def start_worker(parent: int) -> None:
    """A pool's ``initializer``; ``parent`` is the pid of the process that made the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _parent[:] = [parent]
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (AttributeError, OSError):
        pass  # not Linux: orphaned() is the check
    if orphaned():
        os._exit(1)  # the parent died before the line above took effect


def orphaned() -> bool:
    """Whether the process that started this worker is gone (nobody waits for its results)."""
    return bool(_parent) and os.getppid() != _parent[0]
