"""structlog configuration: small processors, explicit set-up, the standard library routed through.

Privacy rules live here: the token is scrubbed from every field of every line (httpx and
python-telegram-bot put request URLs, which contain it, into their messages), and user ids are
logged only as a salted hash (:class:`UserHasher`). Handlers never pass message texts to a logger.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import sys
from collections.abc import Iterable
from typing import Any

import structlog
from structlog.types import EventDict, Processor, WrappedLogger


class UserHasher:
    """Turns a Telegram user id into a stable, salted, non-reversible tag for logs."""

    def __init__(self, salt: bytes) -> None:
        self._salt = salt

    def __call__(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        digest = hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()
        return f"u_{digest[:12]}"


class RedactSecrets:
    """Replace every occurrence of each secret in every string value with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = [s for s in secrets if s]

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self._secrets:
                value = value.replace(secret, "***")
            return value
        if isinstance(value, dict):
            return {k: self._scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self._scrub(v) for v in value)
        if isinstance(value, BaseException):  # exceptions can carry URLs with the token
            return self._scrub(repr(value))
        return value

    def __call__(self, logger: WrappedLogger, name: str, event_dict: EventDict) -> EventDict:
        return {key: self._scrub(value) for key, value in event_dict.items()}


def configure_logging(level: str, fmt: str, secrets: Iterable[str] = ()) -> None:
    """Set up structlog and the standard library's logging to share one pipeline."""
    redact = RedactSecrets(secrets)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            # First: a line below LOG_LEVEL costs nothing more (no timestamp, no rendering).
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,  # last before rendering, so tracebacks are scrubbed too
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # python-telegram-bot's DEBUG lines carry every API call's parameters and results, message
    # texts included: whatever LOG_LEVEL says, they never go below INFO.
    # aiosqlite's DEBUG lines print SQL parameters, raw user ids among them: the same rule.
    for chatty in ("telegram", "aiosqlite"):
        logging.getLogger(chatty).setLevel(max(logging.INFO, root.level))
    # httpx logs every request URL (with the token) at INFO; it adds nothing we need.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
