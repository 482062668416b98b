"""Credentials other than Tailscale keys, as they appear in published user-data (PT043).

Two shapes: a mapping key that names a secret (``password``, ``network_token``...) with a literal
value, and a secret in shell text (``K3S_TOKEN=...``, ``--password ...``, ``--token ...``).
Placeholders (``<yourPassword>``, ``$TOKEN``, ``{{ .Values.x }}``, ``YOUR_TOKEN_GOES_HERE``,
``...``) are not secrets. :func:`scrub_line` hides the values when a source line is printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from ..secrets import REDACTED

# Mapping keys whose value is a secret: registry and git passwords, the Kairos p2p network
# token, the cluster plugin's join token, k3s join tokens, SSH private keys for git.
SECRET_KEYS: Final = {
    "password": "a password",
    "network_token": "the Kairos p2p network token",
    "cluster_token": "a cluster join token",
    "private_key": "a private key",
    "client_secret": "a client secret",
    "k3s_token": "a k3s join token",
    "k3s_agent_token": "a k3s join token",
}
_SHELL_RE: Final = re.compile(
    r"(?:\b(K3S_(?:AGENT_)?TOKEN)=|(?<![\w-])(--password|--token)(?:=|[ \t]+))"
    r"""(["']?)([^\s"';&|]+)"""
)
_PLACEHOLDER_RE: Final = re.compile(
    r"[$<>{}]|^[.*#xX_-]+$|your|example|changeme|change_me|replace|placeholder|redacted|"
    r"secret|password|passwd|token|foobar|dummy",
    re.IGNORECASE,
)
_PEM_RE: Final = re.compile(r"-----(?:BEGIN|END) [A-Z ]+-----")
_KEY_LINE_RE: Final = re.compile(
    r"""((?:^|[\s{,"'])(?:""" + "|".join(SECRET_KEYS) + r""")["']?\s*:\s*)(["']?)([^\s"'#,}]+)""",
    re.IGNORECASE,
)


_MENTIONS: Final = (*SECRET_KEYS, "k3s_", "--password", "--token")


def mentioned(text: str) -> bool:
    """Whether ``text`` may hold a credential at all (a cheap test before any walk)."""
    lower = text.lower()
    return any(word in lower for word in _MENTIONS)


def placeholder(value: str) -> bool:
    """Whether a value is surely no literal secret: empty, templated, a stand-in text, or a
    reference to where the secret is (``/run/secrets/x``, ``file:/x``)."""
    text = _PEM_RE.sub("", value).strip().strip("\"'")  # an empty PEM block is a stand-in
    if text.startswith(("/", "file:")) and " " not in text:
        return True
    return len(text) < 4 or bool(_PLACEHOLDER_RE.search(text))


def key_secret(key: str) -> str | None:
    """What secret a mapping key names (``None``: not a secret key)."""
    return SECRET_KEYS.get(key.lower())


def in_shell(text: str) -> Iterator[tuple[int, str]]:
    """(offset of the value, what it is) for each literal secret in shell text."""
    for match in _SHELL_RE.finditer(text):
        name = match.group(1) or match.group(2)
        if not placeholder(match.group(4)):
            what = "a k3s join token" if name.startswith("K3S") else f"a literal {name} value"
            yield match.start(4), what


def scrub_line(line: str) -> str:
    """``line`` with the values of secret keys and flags replaced by ``***``."""
    line = _KEY_LINE_RE.sub(lambda m: m.group(1) + m.group(2) + REDACTED, line)
    return _SHELL_RE.sub(lambda m: m.group(0)[: m.start(4) - m.start()] + REDACTED, line)
