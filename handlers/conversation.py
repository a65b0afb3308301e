"""Handlers: each translates one kind of update into an engine input, then runs the turn.

A turn is always: load the person's state, ask the engine, commit the new state, its effects and
its replies (to the outbox) in one transaction, then send the replies. So a crash leaves either
nothing done (the update runs again) or everything decided (the replies are sent, not re-decided).
"""

from __future__ import annotations

import json
from datetime import datetime

import structlog
from telegram import Update
from telegram.ext import ContextTypes

from bot.content.pronouns import render
from bot.deps import Deps, get_deps
from bot.engine import (
    BUTTON_KINDS,
    COMMANDS,
    Command,
    ExportData,
    Input,
    Press,
    Reply,
    Text,
    Unsupported,
)
from bot.shell.outbox import answer_button, document, outgoing_for
from bot.storage.inbox import OutboxRow, Outgoing

log = structlog.get_logger(__name__)


async def run_turn(update: Update, context: ContextTypes.DEFAULT_TYPE, event: Input) -> None:
    """Load state, let the engine decide, commit, then reply. Shared by every private-chat handler."""
    deps = get_deps(context.bot_data)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        if update.callback_query is not None:  # a button whose message is gone: stop the spinner
            stale = render(deps.content.texts.stale_button, None)
            await answer_button(context.bot, update.callback_query.id, stale)
        return
    now = deps.clock()
    state = await deps.db.load_user(user.id)
    turn = deps.engine.handle(state, event, now)
    query = update.callback_query
    outgoing = outgoing_for(chat.id, turn.replies, turn.toast, query)
    for effect in turn.effects:
        if isinstance(effect, ExportData):  # the data as it stands, sent with this turn
            outgoing.insert(
                1 if query is not None else 0, await _export(deps, user.id, chat.id, now)
            )
    ids = await deps.db.save_turn(
        user.id, chat.id, turn.state, turn.effects, now, update.update_id, outgoing
    )
    if deps.ledger is not None:
        deps.ledger.committed(update.update_id)
    log.info(
        "turn",
        user=deps.hasher(user.id),
        input=_describe(event),
        step_from=state.step,
        step_to=turn.state.step,
        effects=[type(effect).__name__ for effect in turn.effects],
    )
    rows = [OutboxRow(i, update.update_id, item, 0) for i, item in zip(ids, outgoing, strict=True)]
    await deps.deliverer.deliver(context.bot, deps.db, chat.id, rows)


async def _export(deps: Deps, user_id: int, chat_id: int, now: datetime) -> Outgoing:
    """/mydata: everything stored about the person, as a JSON document (or a note: nothing)."""
    export = await deps.db.export_user(user_id)
    texts = deps.content.texts
    if export is None:
        reply = Reply(render(texts.mydata_empty, None))
        return outgoing_for(chat_id, (reply,), None, None)[0]
    content = json.dumps(export, indent=2, ensure_ascii=False, default=str)
    return document(
        chat_id, f"breathing-room-data-{now:%Y%m%d}.json", content, texts.mydata_caption
    )


def _describe(event: Input) -> str:
    """What kind of input this was, for logs: never the text itself."""
    if isinstance(event, Command):  # an unknown command's name is the person's own words
        return f"command:{event.name if event.name in COMMANDS else 'unknown'}"
    if isinstance(event, Press):  # forged callback data is the sender's own words too
        kind = event.data.partition(":")[0]
        return f"button:{kind if kind in BUTTON_KINDS else 'other'}"
    if isinstance(event, Unsupported):
        return f"unsupported:{event.kind}"
    return "text"


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any /command in a private chat; the engine answers unknown ones kindly."""
    message = update.effective_message
    if message is None or not message.text:
        return
    head, _, args = message.text.partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    await run_turn(update, context, Command(name, args.strip()))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text in a private chat."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    await run_turn(update, context, Text(message.text))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press on one of the bot's messages (the data may be stale or forged)."""
    query = update.callback_query
    if query is None:
        return
    await run_turn(update, context, Press(query.data or ""))


async def on_unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice and other things without text: a kind pointer to what works."""
    message = update.effective_message
    if message is None:
        return
    attachment = message.effective_attachment
    kind = type(attachment).__name__.lower() if attachment is not None else "other"
    await run_turn(update, context, Unsupported(kind))


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group or channel: say once that the bot works in private chats, then stay silent."""
    chat = update.effective_chat
    if chat is None:
        return
    deps = get_deps(context.bot_data)
    if await deps.db.first_group_notice(chat.id, deps.clock()):
        log.info("group_notice", chat_type=chat.type)
        await context.bot.send_message(chat.id, render(deps.content.texts.group_notice, None))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what failed (never texts), and tell the person something went wrong, if we can."""
    deps = get_deps(context.bot_data)
    deps.failures += 1
    user_id = (
        update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    )
    log.error(
        "update_failed",
        user=deps.hasher(user_id),
        error=type(context.error).__name__,
        exc_info=context.error,
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private":
        return
    try:
        if update.callback_query is not None:
            await answer_button(context.bot, update.callback_query.id, None)
        await context.bot.send_message(
            update.effective_chat.id, render(deps.content.texts.error, None)
        )
    except Exception as error:  # the API may be what failed; never raise from here
        log.warning("error_reply_failed", error=type(error).__name__)
