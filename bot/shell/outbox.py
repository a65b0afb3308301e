"""Send what turns committed to the outbox, in order per chat, and only then forget it.

A turn's replies become :class:`Outgoing` rows in the same transaction as its state change. They
are sent right after the commit; if the bot dies first, they are sent at the next start (and a row
that was on the wire at the instant of a crash is sent a second time: the one duplicate that no
design can rule out without Telegram's help). Sends that fail for a reason that may pass (network,
a 5xx, a RetryAfter beyond the limiter's retries) stay queued and a periodic job retries them;
Telegram's final refusals (blocked, chat gone, malformed) are logged and dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import structlog
from telegram import Bot, CallbackQuery, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.engine import Reply
from bot.shell.locks import KeyedLocks
from bot.storage.inbox import JSON, OutboxRow, Outgoing
from bot.storage.repository import Storage

log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 8  # then the reply is dropped (logged): a person should not get it hours late


def outgoing_for(
    chat_id: int, replies: Iterable[Reply], toast: str | None, query: CallbackQuery | None
) -> list[Outgoing]:
    """The Bot API calls for a turn: answer the button (if any), then each reply in order."""
    calls: list[Outgoing] = []
    if query is not None:
        calls.append(Outgoing("answer", chat_id, {"query_id": query.id, "text": toast}))
    target = query.message.message_id if query is not None and query.message else None
    for reply in replies:
        buttons = [[[b.label, b.data] for b in row] for row in reply.buttons]
        payload: JSON = {"text": reply.text, "buttons": buttons}
        if reply.edit and target is not None:
            calls.append(Outgoing("edit", chat_id, {**payload, "message_id": target}))
        else:
            calls.append(Outgoing("message", chat_id, payload))
    return calls


def document(chat_id: int, filename: str, content: str, caption: str) -> Outgoing:
    return Outgoing(
        "document", chat_id, {"filename": filename, "content": content, "caption": caption}
    )


def _markup(buttons: list[list[list[str]]]) -> JSON | None:
    if not buttons:
        return None
    return _cached_markup(tuple(tuple((label, data) for label, data in row) for row in buttons))


@lru_cache(maxsize=4096)
def _cached_markup(rows: tuple[tuple[tuple[str, str], ...], ...]) -> JSON:
    """An InlineKeyboardMarkup as the Bot API's JSON. Keyboards repeat (the same menus, advice
    numbers 1, 2, 3...), so each distinct one is built once; nothing downstream changes it."""
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in rows
        ]
    }


class Deliverer:
    """Flushes a chat's outbox rows in order; one flush per chat at a time."""

    def __init__(self) -> None:
        self._chats = KeyedLocks()  # one flush per chat at a time
        # Chats with older replies still queued (a failed send, or left by a previous run): their
        # new replies wait behind those. Everyone else's go straight out.
        self.backlog: set[int] = set()

    async def deliver(self, bot: Bot, db: Storage, chat_id: int, rows: list[OutboxRow]) -> bool:
        """Send a turn's rows (just committed); behind older ones if the chat has a backlog."""
        if chat_id in self.backlog:
            return await self.flush_chat(bot, db, chat_id)
        return await self._under_lock(bot, db, chat_id, rows)

    async def flush_chat(self, bot: Bot, db: Storage, chat_id: int) -> bool:
        """Send the chat's pending rows in order; False if one must wait for a retry."""
        return await self._under_lock(bot, db, chat_id, None)

    async def _under_lock(
        self, bot: Bot, db: Storage, chat_id: int, rows: list[OutboxRow] | None
    ) -> bool:
        async with self._chats.hold(chat_id):
            if rows is None:
                rows = await db.pending_outbox(chat_id, limit=100)
            for row in rows:
                if not await self._send(bot, db, row):
                    self.backlog.add(chat_id)
                    return False
            if len(rows) < 100:
                self.backlog.discard(chat_id)
            return True

    async def flush_all(self, bot: Bot, db: Storage) -> None:
        """Every chat with something queued (at start-up, and periodically for retries)."""
        chats = dict.fromkeys(row.outgoing.chat_id for row in await db.pending_outbox(limit=5000))
        for chat_id in chats:
            await self.flush_chat(bot, db, chat_id)

    async def _send(self, bot: Bot, db: Storage, row: OutboxRow) -> bool:
        try:
            await send_outgoing(bot, row.outgoing)
        except (Forbidden, BadRequest) as error:  # final: blocked, chat gone, refused content
            log.info("outbox_refused", kind=row.outgoing.kind, error=type(error).__name__)
        except (RetryAfter, NetworkError, TelegramError) as error:
            attempts = await db.outbox_attempted(row.id)
            if attempts < MAX_ATTEMPTS:
                log.info("outbox_retry_later", kind=row.outgoing.kind, error=type(error).__name__)
                return False
            log.warning("outbox_gave_up", kind=row.outgoing.kind, error=type(error).__name__)
        await db.outbox_done(row.id)
        return True


async def send_outgoing(bot: Bot, item: Outgoing) -> None:
    """Make the Bot API call for ``item``; Telegram's errors propagate (callers decide)."""
    p = item.payload
    if item.kind == "answer":
        await answer_button(bot, p["query_id"], p.get("text"))
        return
    if item.kind == "document":
        data = InputFile(p["content"].encode(), filename=p["filename"])
        await bot.send_document(item.chat_id, data, caption=p["caption"], parse_mode=ParseMode.HTML)
        return
    message: JSON = {"chat_id": item.chat_id, "text": p["text"], "parse_mode": ParseMode.HTML}
    keyboard = _markup(p["buttons"])
    if keyboard is not None:
        message["reply_markup"] = keyboard
    if item.kind == "edit":
        try:
            await _call(bot, "editmessagetext", {**message, "message_id": p["message_id"]})
            return
        except BadRequest as error:
            if "not modified" in error.message:
                return  # a double tap: the message already shows this
            log.info("edit_fell_back_to_send", error=error.message[:80])
    await _call(bot, "sendmessage", message)


async def _call(bot: Bot, method: str, arguments: JSON) -> None:
    """A Bot API call whose answer we never read, made without building PTB objects for it.

    ``bot.send_message`` turns the Message Telegram sends back into PTB objects: for an advice
    reply (dozens of formatting entities, a keyboard) that was the largest single cost of a turn
    on the event loop, for a result nobody reads. ``do_api_request`` is PTB's documented raw call
    (same request, rate limiter and errors). Method names are lower case because the Bot API's
    are case-insensitive and PTB warns when a raw call names one of its typed methods.
    """
    await bot.do_api_request(method, api_kwargs=arguments)


async def answer_button(bot: Bot, query_id: str, text: str | None) -> None:
    """Stop a button's spinner. Telegram refuses answers to old queries: not worth failing over."""
    try:
        await bot.answer_callback_query(query_id, text)
    except TelegramError as error:
        log.info("callback_answer_failed", error=type(error).__name__)
