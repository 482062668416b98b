"""One exception family for everything that can go wrong talking to a tailnet API.

Hierarchy (all are :class:`~palette_tailscale.errors.PaletteTailscaleError`, so the CLI prints
one line)::

    TailnetError                 a remote failure (exit 1)
    ├── MissingCredentials       no API key / OAuth client configured (exit 2)
    ├── InvalidRequest           rejected before sending: bad tag, description, expiry (exit 2)
    ├── AuthError                401: the token was rejected (exit 2)
    ├── PermissionDenied         403: missing scope or tag ownership (exit 2)
    ├── NotFound                 404: no such tailnet, key or device (exit 2)
    ├── RequestRejected          400/409/501: the server refused the request (exit 2)
    ├── RateLimited              429 after every retry (exit 1)
    ├── ServerError              5xx after every retry (exit 1)
    ├── ConnectionFailed         connect/read errors and timeouts after every retry (exit 1)
    │   ├── OutcomeUnknown       a non-idempotent request may or may not have happened
    │   └── NotAttempted         a bulk item skipped: the API was unreachable for those before
    └── BadResponse              the answer is not the JSON we expect (exit 1)

Messages never carry a secret: :func:`~palette_tailscale.secrets.redact` runs over every server
message before it is placed in an exception.
"""

from __future__ import annotations

from ..errors import PaletteTailscaleError


class TailnetError(PaletteTailscaleError):
    """A tailnet API operation failed."""

    exit_code = 1

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.status = status


class MissingCredentials(TailnetError):
    exit_code = 2


class InvalidRequest(TailnetError):
    exit_code = 2


class AuthError(TailnetError):
    exit_code = 2


class PermissionDenied(TailnetError):
    exit_code = 2


class NotFound(TailnetError):
    exit_code = 2


class RequestRejected(TailnetError):
    exit_code = 2


class RateLimited(TailnetError):
    """429: the server asked us to slow down; ``retry_after`` in seconds when it said so."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, status=429)
        self.retry_after = retry_after


class ServerError(TailnetError):
    pass


class ConnectionFailed(TailnetError):
    pass


class OutcomeUnknown(ConnectionFailed):
    """The request was sent but no answer arrived: it may have taken effect."""


class NotAttempted(ConnectionFailed):
    """Not tried: the items before it found the API unreachable, so the bulk run stopped."""


class BadResponse(TailnetError):
    pass
