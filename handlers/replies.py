"""Turn the engine's replies into Bot API calls."""

from __future__ import annotations

import json
from datetime import datetime

import structlog
from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, TelegramError

from bot.engine import Reply
from bot.engine.model import Keyboard

log = structlog.get_logger(__name__)


def markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in buttons]
    )


async def show_typing(bot: Bot, chat_id: int) -> None:
    """The typing indicator is a courtesy: if the API refuses it, warn and carry on."""
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as error:
        log.warning("typing_indicator_failed", error=type(error).__name__)


async def answer_query(query: CallbackQuery, text: str | None) -> None:
    """Stop the button's spinner. Telegram refuses answers to old queries: not worth failing over."""
    try:
        await query.answer(text)
    except TelegramError as error:
        log.info("callback_answer_failed", error=type(error).__name__)


async def send_reply(bot: Bot, chat_id: int, reply: Reply, query: CallbackQuery | None) -> None:
    """Send ``reply``; an edit replaces the message the button was on, when Telegram allows it."""
    keyboard = markup(reply.buttons)
    if reply.edit and query is not None and query.message is not None:
        try:
            await bot.edit_message_text(
                reply.text,
                chat_id=chat_id,
                message_id=query.message.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
            )
            return
        except BadRequest as error:
            if "not modified" in error.message:
                return  # a double tap: the message already shows this
            # Too old or no longer editable: send it as a new message instead.
            log.info("edit_fell_back_to_send", error=error.message[:80])
    if reply.typing:
        await show_typing(bot, chat_id)
    await bot.send_message(chat_id, reply.text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def send_export(
    bot: Bot, chat_id: int, export: dict[str, object], caption: str, now: datetime
) -> None:
    """Send everything stored about a person as a JSON document."""
    document = json.dumps(export, indent=2, ensure_ascii=False, default=str).encode()
    filename = f"breathing-room-data-{now:%Y%m%d}.json"
    await bot.send_document(
        chat_id, InputFile(document, filename=filename), caption=caption, parse_mode=ParseMode.HTML
    )
