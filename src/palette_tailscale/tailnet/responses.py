"""Turning an HTTP error answer into the right exception with an actionable message."""

from __future__ import annotations

import html
import json
import re
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
    """The server's own words: ``message`` from a JSON body, an HTML page's title, else the
    start of the text, on one line."""
    text = response.text
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or a number of 4,301 digits
        body = None
    if isinstance(body, dict):
        for key in ("message", "detail", "error", "title"):
            if isinstance(body.get(key), str) and body[key]:
                text = body[key]
                break
    elif _is_html(response, text):
        text = _html_text(text)
    text = " ".join(text.split())
    return scrub(text[:200] + ("…" if len(text) > 200 else ""))


_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


def _is_html(response: httpx.Response, text: str) -> bool:
    kind = response.headers.get("content-type", "").lower()
    return "html" in kind or text.lstrip()[:1] == "<"


def _html_text(text: str) -> str:
    """A proxy's error page, as words: its title, else its text without tags and scripts."""
    title = _TITLE_RE.search(text[:65536])
    if title and title.group(1).strip():
        return f"an HTML page: {html.unescape(title.group(1))}"
    return f"an HTML page: {html.unescape(_TAG_RE.sub(' ', text[:65536]))}"


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
