"""A deadline for each try of a request, the reading of the answer's head included.

httpx bounds each read by the read timeout, not a whole answer: a server that sends its status
line or its headers a byte at a time, or ``100 Continue`` after ``100 Continue``, never trips it
and would hold a run for hours. :func:`install` wraps the network layer of an ``httpx.Client``
so that every connect, read and write is bounded by the time left until the deadline that
:func:`until` set for the calling thread (the client's requests run in the thread that makes
them); past it, a read fails as a read timeout does, and the client's retry rules apply.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

_local = threading.local()


@contextlib.contextmanager
def until(deadline: float, seconds: float) -> Iterator[None]:
    """Bound the calling thread's network operations by ``deadline`` (``time.monotonic()``);
    ``seconds`` is what the error says the try was given."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = (deadline, seconds)
    try:
        yield
    finally:
        _local.deadline = previous


def _left(timeout: float | None) -> float | None:
    bound: tuple[float, float] | None = getattr(_local, "deadline", None)
    if bound is None:
        return timeout
    deadline, seconds = bound
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout(f"the answer took longer than {seconds:g} s")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, _left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _left(timeout), local_address, socket_options
        )
        return _Stream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._backend.connect_unix_socket(path, _left(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def install(client: httpx.Client) -> bool:
    """Wrap the network layer of ``client``'s transports (direct and through a proxy); whether
    any was wrapped (a transport a test passes in has no network layer to wrap)."""
    transports = [client._transport, *client._mounts.values()]
    wrapped = False
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(backend, _Backend):
            pool._network_backend = _Backend(backend)  # type: ignore[union-attr]
            wrapped = True
    return wrapped
