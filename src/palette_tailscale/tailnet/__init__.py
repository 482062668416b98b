"""Auth keys and devices on Tailscale's API v2 and on self-hosted Headscale.

``connect(ApiSettings(...))`` gives a :class:`Backend`; ``resolve_settings`` builds the settings
from the config file, the environment and flags. Errors are :class:`TailnetError` subclasses.
"""

from .base import Backend, CreatedKey, Device, KeyInfo, KeyRequest
from .bulk import DEFAULT_CONCURRENCY, Outcome, run_bulk
from .errors import (
    AuthError,
    BadResponse,
    ConnectionFailed,
    InvalidRequest,
    MissingCredentials,
    NotAttempted,
    NotFound,
    OutcomeUnknown,
    PermissionDenied,
    RateLimited,
    RequestRejected,
    ServerError,
    TailnetError,
)
from .factory import Wiring, connect
from .http import Timeouts
from .retry import RetryPolicy, set_testing
from .settings import ApiFlags, ApiSettings, resolve_settings

__all__ = [
    "DEFAULT_CONCURRENCY",
    "ApiFlags",
    "ApiSettings",
    "AuthError",
    "Backend",
    "BadResponse",
    "ConnectionFailed",
    "CreatedKey",
    "Device",
    "InvalidRequest",
    "KeyInfo",
    "KeyRequest",
    "MissingCredentials",
    "NotAttempted",
    "NotFound",
    "Outcome",
    "OutcomeUnknown",
    "PermissionDenied",
    "RateLimited",
    "RequestRejected",
    "RetryPolicy",
    "ServerError",
    "TailnetError",
    "Timeouts",
    "Wiring",
    "connect",
    "resolve_settings",
    "run_bulk",
    "set_testing",
]
