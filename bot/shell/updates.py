"""Process updates concurrently across chats, in order within each chat.

python-telegram-bot handles one update at a time by default, so one busy person delays everyone.
With ``concurrent_updates`` each update gets its own task; this processor keeps each chat's updates
strictly in arrival order (so a person's state never sees two turns at once) while different chats
run side by side.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.shell.locks import KeyedLocks


class Ledger(Protocol):
    async def begin(self, update: Update) -> bool: ...
    async def end(self, update: Update) -> None: ...
    def abandon(self, update: Update) -> None: ...


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._chats = KeyedLocks()
        # Set once the database is open: skips redelivered updates, marks each one done.
        self.ledger: Ledger | None = None

    @staticmethod
    def key(update: object) -> object:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return update.effective_chat.id
            if update.effective_user is not None:
                return ("user", update.effective_user.id)
        return "other"

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self._chats.hold(self.key(update)):  # the chat's updates keep their order
            await self._run(update, coroutine)

    async def _run(self, update: object, coroutine: Awaitable[Any]) -> None:
        ledger = self.ledger
        if ledger is None or not isinstance(update, Update):
            await coroutine
            return
        if not await ledger.begin(update):
            if isinstance(coroutine, Coroutine):
                coroutine.close()  # processed before a crash or restart: nothing to do again
            return
        try:
            await coroutine  # handler errors go to the error handler, not here
        except asyncio.CancelledError:
            ledger.abandon(update)  # not done: Telegram delivers it again after the restart
            raise
        await ledger.end(update)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release; running updates are awaited by the Application."""
