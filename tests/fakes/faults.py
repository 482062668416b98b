"""Fault injection and rate limiting for the fake tailnet server."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .tailnet_server import Request


@dataclass
class Fault:
    kind: str  # status, slow, reset, malformed, html, truncate, stall, trickle, die,
    # trickle-head or continue
    method: str | None = None
    path: str = ""
    times: int = 1
    after: int = 0
    status: int = 503
    retry_after: str | None = None
    delay: float = 2.0
    commit: bool = False
    message: str | None = None  # the error body's message (default "injected <status>")
    seen: int = 0

    def take(self, req: Request) -> bool:
        if (self.method and req.method != self.method) or self.path not in req.path:
            return False
        self.seen += 1
        return self.after < self.seen <= self.after + self.times


class RateLimiter:
    """A token bucket of ``rate`` per second holding at most ``burst`` tokens."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate / 10)
        self.tokens = self.burst
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> float:
        """0 when the request may pass, else the seconds until a token is free."""
        with self.lock:
            clock = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (clock - self.stamp) * self.rate)
            self.stamp = clock
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.rate
