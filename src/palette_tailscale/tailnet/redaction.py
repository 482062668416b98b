"""Keep secrets out of logs and error messages.

Every secret the tailnet code handles (API keys, OAuth secrets, access tokens, minted keys) is
registered here, and :func:`scrub` removes registered values plus anything key-shaped
(``tskey-…``, ``hskey-…``, ``Authorization:`` headers). The logger of the package carries a
filter that scrubs every record, arguments included, before any handler sees it.
"""

from __future__ import annotations

import logging
import threading

from ..secrets import Secret, redact

LOGGER_NAME = "palette_tailscale.tailnet"

_lock = threading.Lock()
_values: set[str] = set()


def register(*secrets: Secret | str | None) -> None:
    """Remember secret values so that :func:`scrub` removes them from any text."""
    with _lock:
        for secret in secrets:
            value = secret.reveal() if isinstance(secret, Secret) else secret
            if value and len(value) >= 4:
                _values.add(value)


def scrub(text: str) -> str:
    with _lock:
        values = tuple(_values)
    return redact(text, *values)


class RedactingFilter(logging.Filter):
    """Replaces a record's message by its scrubbed, fully formatted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            # Handlers format the traceback after filters ran: format it here, so they reuse
            # the scrubbed text instead of printing a secret carried by the exception.
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


_FORMATTER = logging.Formatter()


def get_logger() -> logging.Logger:
    """The package logger; every module of ``tailnet`` logs through it."""
    logger = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger
