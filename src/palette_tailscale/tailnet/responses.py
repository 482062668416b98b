"""Turning an HTTP error answer into the right exception with an actionable message."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx

from .errors import (
    AuthError,
    NotFound,
    PermissionDenied,
    RateLimited,
    RequestRejected,
    ServerError,
    TailnetError,
)
from .redaction import scrub
from .retry import parse_retry_after

if TYPE_CHECKING:
    from .http import Call


def server_message(response: httpx.Response) -> str:
    """The server's own words: ``message`` from a JSON body, else the start of the text."""
    text = response.text
    try:
        body = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        for key in ("message", "detail", "error", "title"):
            if isinstance(body.get(key), str) and body[key]:
                text = body[key]
                break
    text = " ".join(text.split())
    return scrub(text[:200] + ("…" if len(text) > 200 else ""))


def error_for(response: httpx.Response, service: str, call: Call, hint: str) -> TailnetError:
    status = response.status_code
    said = server_message(response)
    tail = f" (server said: {said})" if said else ""
    prefix = f"{service} API: {call.what}"
    if status == 401:
        return AuthError(f"{prefix}: token rejected: check {hint}{tail}", status=status)
    if status == 403:
        need = f": {call.denied}" if call.denied else ""
        return PermissionDenied(f"{prefix}: permission denied{need}{tail}", status=status)
    if status == 404:
        what = call.not_found or "not found"
        return NotFound(f"{prefix}: {what}{tail}", status=status)
    if status == 429:
        after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimited(f"{prefix}: rate limited (429){tail}", retry_after=after)
    if status >= 500 and status != 501:
        return ServerError(f"{prefix}: server error {status}{tail}", status=status)
    return RequestRejected(f"{prefix}: rejected ({status}){tail}", status=status)
