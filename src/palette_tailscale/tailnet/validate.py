"""Checks made before a request is sent, so a bad value never costs a round trip."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..kairos import is_valid_hostname
from ..secrets import looks_like_key
from .base import KeyRequest
from .errors import InvalidRequest

DESCRIPTION_RE = re.compile(r"^[A-Za-z0-9 -]{0,50}$")
TAG_RE = re.compile(r"^tag:[A-Za-z][A-Za-z0-9-]*$")
HEADSCALE_TAG_RE = re.compile(r"^tag:[a-z][a-z0-9-]*$")
MAX_EXPIRY = 90 * 86400


def check_tags(tags: Sequence[str], *, lowercase: bool = False) -> None:
    pattern = HEADSCALE_TAG_RE if lowercase else TAG_RE
    for tag in tags:
        if not pattern.fullmatch(tag):
            case = "lowercase letters" if lowercase else "letters"
            raise InvalidRequest(
                f"{tag!r} is not a tag: write tag:NAME ({case}, digits and hyphens, "
                "starting with a letter)"
            )


def check_key_request(request: KeyRequest, *, lowercase_tags: bool = False) -> None:
    if not DESCRIPTION_RE.fullmatch(request.description):
        raise InvalidRequest(
            f"key description {request.description!r} is not allowed: at most 50 letters, "
            "digits, hyphens and spaces"
        )
    if request.expiry_seconds <= 0 or request.expiry_seconds > MAX_EXPIRY:
        raise InvalidRequest(
            f"key expiry of {request.expiry_seconds}s is out of range: more than 0, at most 90 days"
        )
    check_tags(request.tags, lowercase=lowercase_tags)


def check_device_name(name: str) -> None:
    if not is_valid_hostname(name.lower()):
        raise InvalidRequest(
            f"{name!r} is not a device name: a DNS label of 1-63 letters, digits and hyphens"
        )
    if looks_like_key(name):  # every admin of the tailnet would read it
        raise InvalidRequest("this device name looks like an auth key; choose another name")
