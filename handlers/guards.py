"""Handlers that run before, or beside, the conversation: flood control, edits, membership."""

from __future__ import annotations

import time

import structlog
from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.content.pronouns import render
from bot.deps import get_deps
from bot.engine import Text
from bot.shell.outbox import answer_button
from handlers.conversation import run_turn

log = structlog.get_logger(__name__)


async def flood_guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before every handler: past the limit, one gentle slow-down message, then silence.

    Safety first even in a flood: a message that shows a crisis or abuse always goes through.
    """
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != "private":
        return
    deps = get_deps(context.bot_data)
    verdict = deps.flood.check(user.id, time.monotonic())
    if verdict == "ok":
        return
    message = update.message or update.edited_message
    if message is not None and message.text and deps.engine.screen.screen(message.text).signal:
        return
    if update.callback_query is not None:
        await answer_button(context.bot, update.callback_query.id, None)
    if verdict == "warn":
        log.info("flood_slowed_down", user=deps.hasher(user.id))
        await context.bot.send_message(chat.id, render(deps.content.texts.slow_down, None))
    raise ApplicationHandlerStop


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message is not a new turn, but if the edit shows danger, answer it (help, or the
    check question when the signal is uncertain)."""
    message = update.edited_message
    if message is None or not message.text:
        return
    deps = get_deps(context.bot_data)
    if deps.engine.screen.screen(message.text).signal:
        await run_turn(update, context, Text(message.text))


async def on_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The person blocked or unblocked the bot: note it (never a message: they cannot read it).

    Blocking switches daily nudges off; unblocking leaves them off until the person asks again.
    """
    change = update.my_chat_member
    if change is None:
        return
    deps = get_deps(context.bot_data)
    if change.new_chat_member.status == "kicked" and change.from_user is not None:
        # They blocked us: switch nudges off now (unblocking does not switch them back on).
        await deps.db.nudges_undeliverable(change.from_user.id, None, "blocked")
    log.info(
        "membership_changed",
        user=deps.hasher(change.from_user.id if change.from_user else None),
        chat_type=change.chat.type,
        status=change.new_chat_member.status,
    )
