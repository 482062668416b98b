"""The one HTTP client of the tailnet package: auth, timeouts, retries, error mapping.

All network I/O goes through :class:`HttpClient`; tests inject an ``httpx`` transport or point
``base_url`` at a local server. Requests are idempotent unless the caller says otherwise: a
non-idempotent request (``POST …/keys``) whose outcome is unknown (sent, then the connection
broke, or a 500/502/504 came back) is not repeated here but raised as
:class:`~.errors.OutcomeUnknown`, so the caller can look before it tries again (reference §7).

What it does is logged on the ``palette_tailscale.tailnet`` logger, scrubbed of secrets: every
request with its status and duration (DEBUG), every retry wait (INFO), and a wait longer than
:data:`NOTICE_AFTER` seconds at WARNING, so a user without ``-v`` still learns why nothing
happens for a while.
"""

from __future__ import annotations

import functools
import logging
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from .. import __version__
from ..errors import InputError
from . import deadline as _deadline
from . import retry as _retry
from .errors import BadResponse, ConnectionFailed, OutcomeUnknown, TailnetError
from .redaction import get_logger, scrub
from .responses import error_for

log = get_logger()

_SAFE_TO_RETRY = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_AFTER_SENDING = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_UNKNOWN_OUTCOME_STATUS = frozenset({500, 502, 504})
NOTICE_AFTER = 2.0  # seconds: a longer retry wait is announced even without -v
# No answer of these APIs comes near this (10,000 devices are some 20 MB of JSON); a server that
# sends more is broken or hostile, and would otherwise fill the memory.
MAX_BODY = 64 * 1024 * 1024
_DECODED = frozenset({"content-encoding", "content-length", "transfer-encoding"})


@functools.lru_cache(maxsize=1)
def _tls() -> ssl.SSLContext:
    # Loading the CA bundle costs tens of milliseconds; one context serves every client.
    return httpx.create_ssl_context()


def segment(value: str, *, safe: str = "") -> str:
    """``value`` as one segment of a URL path, whatever it holds.

    Percent-encoded (``/``, ``?`` and ``#`` too, and ``.`` or ``..`` alone, which a URL reads as
    "here" and "up": ``keys/..`` would be the tailnet itself); text that is not UTF-8 (bytes
    from the command line) goes as its bytes. An empty segment is refused: ``keys/`` is the
    list of keys, not a key.
    """
    if not value:
        raise InputError("an empty ID or name: nothing to look up")
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogatepass")
    if not raw.strip(b"."):
        return "%2E" * len(raw)
    return quote(raw, safe=safe)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to wait for a connection and for each read of an answer.

    A server that keeps sending a byte now and then never trips a read timeout, so a whole
    answer must also arrive within :attr:`attempt` seconds of the request.
    """

    connect: float = 10.0
    read: float = 30.0

    def httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.read, pool=self.read)

    @property
    def attempt(self) -> float:
        """The longest one try may take: connecting, then twice the read timeout for the answer."""
        return self.connect + 2 * self.read


class Authenticator(Protocol):
    def headers(self) -> Mapping[str, str]: ...

    def invalidate(self) -> bool:
        """Forget a cached token; True when asking again could help (OAuth)."""
        ...


@dataclass(frozen=True, slots=True)
class Call:
    """What a request is for, so errors can say what failed and what to do."""

    what: str
    not_found: str = ""
    denied: str = ""
    idempotent: bool = True
    authenticated: bool = True
    retries: bool = True  # False for shape probes: a 500 is an answer, not a fault


class HttpClient:
    """A thread-safe client for one API (``service`` names it in messages)."""

    def __init__(
        self,
        base_url: str,
        *,
        service: str,
        credential_hint: str,
        auth: Authenticator | None = None,
        timeouts: Timeouts | None = None,
        policy: _retry.RetryPolicy = _retry.DEFAULT_POLICY,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = _retry.default_sleep,
        max_connections: int = 32,
    ) -> None:
        self.service = service
        self.credential_hint = credential_hint
        self.auth = auth
        self.policy = policy
        self.timeouts = timeouts or Timeouts()
        self._sleep = sleep
        try:
            _ = httpx.URL(base_url).host  # a host IDNA refuses (xn--zz) fails here, not later
        except (httpx.InvalidURL, ValueError) as exc:
            raise InputError(f"{service} API URL {base_url[:100]!r}: {exc}") from None
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=self.timeouts.httpx(),
            transport=transport,
            limits=limits,
            verify=_tls(),
            headers={
                "User-Agent": f"palette-tailscale/{__version__}",
                "Accept": "application/json",
            },
        )
        _deadline.install(self._client)

    def close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:
        return f"HttpClient(service={self.service!r}, base_url={str(self._client.base_url)!r})"

    def json(self, method: str, path: str, call: Call, **kwargs: Any) -> Any:
        """Send and decode a JSON answer (an empty body decodes to ``{}``)."""
        response = self.request(method, path, call, **kwargs)
        if not response.content.strip():
            return {}
        try:
            return response.json()
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or a number of 4,301 digits
            raise BadResponse(
                f"{self.service} API: {call.what}: the answer is not JSON "
                f"({response.status_code}, {len(response.content)} bytes)",
                status=response.status_code,
            ) from None

    def request(
        self,
        method: str,
        path: str,
        call: Call,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send with retries; ``headers`` are added to this request only (e.g. a scope)."""
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            failure = self._attempt(method, path, call, params, json_body, form, headers)
            if isinstance(failure, httpx.Response):
                return failure
            if failure.status == 401 and call.authenticated and not refreshed and self._refresh():
                refreshed = True
                attempt -= 1
                continue
            if attempt >= self.policy.attempts or not _retryable(failure, call):
                raise failure
            delay = self.policy.delay(attempt, getattr(failure, "retry_after", None))
            log.log(
                logging.WARNING if delay > NOTICE_AFTER else logging.INFO,
                "%s; try %d of %d failed, retrying in %.1f s",
                failure,
                attempt,
                self.policy.attempts,
                delay,
            )
            self._sleep(delay)

    def _attempt(
        self,
        method: str,
        path: str,
        call: Call,
        params: Mapping[str, Any] | None,
        json_body: Any,
        form: Mapping[str, str] | None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> httpx.Response | TailnetError:
        headers = dict(self.auth.headers()) if (self.auth and call.authenticated) else {}
        headers.update(extra_headers or {})
        started = time.monotonic()
        try:
            request = self._client.build_request(
                method, path, params=params, json=json_body, data=form, headers=headers
            )
            response = self._send(request, call)
        except _SAFE_TO_RETRY as exc:
            self._log(method, path, started, type(exc).__name__)
            return ConnectionFailed(self._conn_message(call, exc))
        except _AFTER_SENDING as exc:
            self._log(method, path, started, type(exc).__name__)
            if not call.idempotent:
                raise OutcomeUnknown(self._conn_message(call, exc)) from None
            return ConnectionFailed(self._conn_message(call, exc))
        except httpx.DecodingError:
            raise BadResponse(
                f"{self.service} API: {call.what}: the answer's encoding is broken"
            ) from None
        self._log(method, path, started, str(response.status_code))
        if 300 <= response.status_code < 400:  # never followed: a proxy's login page, a wrong URL
            where = response.headers.get("location", "")
            raise BadResponse(
                f"{self.service} API: {call.what}: the server answered {response.status_code}, "
                f"a redirect{f' to {where[:200]}' if where else ''}: check the base URL",
                status=response.status_code,
            )
        if response.status_code < 400:
            return response
        error = error_for(response, self.service, call, self.credential_hint)
        status = response.status_code
        probe_answer = not call.retries and status == 500  # see Call.retries
        if not call.idempotent and status in _UNKNOWN_OUTCOME_STATUS and not probe_answer:
            raise OutcomeUnknown(str(error), status=status)
        return error

    def _log(self, method: str, path: str, started: float, outcome: str) -> None:
        if log.isEnabledFor(logging.DEBUG):
            took = (time.monotonic() - started) * 1000
            log.debug("%s API: %s %s -> %s (%.0f ms)", self.service, method, path, outcome, took)

    def _send(self, request: httpx.Request, call: Call) -> httpx.Response:
        """Send and read the whole answer, within :attr:`Timeouts.attempt` and :data:`MAX_BODY`."""
        deadline = time.monotonic() + self.timeouts.attempt
        with _deadline.until(deadline, self.timeouts.attempt):  # the answer's head too
            return self._read_all(request, call, deadline)

    def _read_all(self, request: httpx.Request, call: Call, deadline: float) -> httpx.Response:
        response = self._client.send(request, stream=True)
        try:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BODY:
                    raise BadResponse(
                        f"{self.service} API: {call.what}: the answer is larger than "
                        f"{MAX_BODY // (1024 * 1024)} MiB",
                        status=response.status_code,
                    )
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout(
                        f"the answer took longer than {self.timeouts.attempt:g} s",
                        request=request,
                    )
        finally:
            response.close()
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DECODED]
        return httpx.Response(
            response.status_code, headers=headers, content=bytes(body), request=request
        )

    def pause(self, attempt: int) -> None:
        """Wait as after failed try number ``attempt`` (used between whole-operation retries)."""
        self._sleep(self.policy.backoff(attempt))

    def _refresh(self) -> bool:
        return self.auth is not None and self.auth.invalidate()

    def _conn_message(self, call: Call, exc: Exception) -> str:
        reason = scrub(str(exc)) or type(exc).__name__
        return f"{self.service} API: {call.what}: {reason} ({self._client.base_url})"


def _retryable(error: TailnetError, call: Call) -> bool:
    if isinstance(error, ConnectionFailed):
        return True
    if not call.retries and error.status == 500:
        return False  # a probe: before 0.30 Headscale answers 500 for a request shape it rejects
    return error.status in _retry.RETRYABLE_STATUS
