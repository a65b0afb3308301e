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


class Ledger(Protocol):
    async def begin(self, update: Update) -> bool: ...
    async def end(self, update: Update) -> None: ...
    def abandon(self, update: Update) -> None: ...


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[object, asyncio.Lock] = {}
        self._waiting: dict[object, int] = {}
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
        key = self.key(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:  # asyncio.Lock is FIFO: the chat's updates keep their order
                await self._run(update, coroutine)
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:  # forget idle chats, so memory stays bounded
                del self._waiting[key]
                del self._locks[key]

    async def _run(self, update: object, coroutine: Awaitable[Any]) -> None:
        ledger = self.ledger if isinstance(update, Update) else None
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
