"""Bot API calls the handlers make outside a turn's outbox (bot/outbox.py sends the rest)."""

from __future__ import annotations

import structlog
from telegram import CallbackQuery
from telegram.error import TelegramError

log = structlog.get_logger(__name__)


async def answer_query(query: CallbackQuery, text: str | None) -> None:
    """Stop the button's spinner. Telegram refuses answers to old queries: not worth failing over."""
    try:
        await query.answer(text)
    except TelegramError as error:
        log.info("callback_answer_failed", error=type(error).__name__)
