"""Exactly-once bookkeeping (SQL only; :class:`bot.storage.Storage` inherits it).

``inbox`` holds the ids of updates being processed and done (never their content), so an update
Telegram delivers again is recognised and skipped. ``outbox`` holds the replies a turn decided on,
committed in the same transaction as the new state; a row is deleted once Telegram has it.
``meta`` keeps when the bot last made progress (for the health check).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

JSON = dict[str, Any]


@dataclass(frozen=True)
class Outgoing:
    """One Bot API call a turn decided on: ``kind`` is answer, message, edit or document."""

    kind: str
    chat_id: int
    payload: JSON


@dataclass(frozen=True)
class OutboxRow:
    id: int
    update_id: int | None
    outgoing: Outgoing
    attempts: int


class InboxStorage:
    _db: aiosqlite.Connection
    _lock: asyncio.Lock

    async def begin_update(self, update_id: int) -> bool:
        """Note that an update is being processed; False when it was processed before.

        Only the id is kept, never the update's content: Telegram itself holds an update until
        the poller confirms it, which it does only once the update is done (bot/poller.py).
        """
        async with self._lock:
            await self._db.execute(
                "INSERT OR IGNORE INTO inbox (update_id) VALUES (?)", (update_id,)
            )
            async with self._db.execute(
                "SELECT done FROM inbox WHERE update_id = ?", (update_id,)
            ) as cursor:
                row = await cursor.fetchone()
        return row is not None and not row["done"]

    async def _finish_update_in_transaction(self, update_id: int, stamp: str) -> None:
        await self._db.execute(
            "INSERT INTO inbox (update_id, done) VALUES (?, 1) "
            "ON CONFLICT (update_id) DO UPDATE SET done = 1",
            (update_id,),
        )
        await self._set_meta("last_progress", stamp)

    async def _queue_outgoing(self, update_id: int | None, outgoing: Iterable[Outgoing]) -> None:
        for item in outgoing:
            await self._db.execute(
                "INSERT INTO outbox (update_id, chat_id, kind, payload) VALUES (?, ?, ?, ?)",
                (update_id, item.chat_id, item.kind, json.dumps(item.payload)),
            )

    async def finish_update(
        self, update_id: int, now: datetime, outgoing: Iterable[Outgoing] = ()
    ) -> None:
        """Mark an update processed (and queue what it sends) in one transaction."""
        async with self._lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                await self._queue_outgoing(update_id, outgoing)
                await self._finish_update_in_transaction(update_id, now.isoformat())
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    async def pending_outbox(
        self, chat_id: int | None = None, limit: int = 10_000
    ) -> list[OutboxRow]:
        """Replies committed but not yet confirmed sent, in order (one chat's, or all)."""
        where, args = ("WHERE chat_id = ?", (chat_id,)) if chat_id is not None else ("", ())
        async with self._db.execute(
            f"SELECT id, update_id, chat_id, kind, payload, attempts FROM outbox {where} "
            "ORDER BY id LIMIT ?",
            (*args, limit),
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            OutboxRow(
                row["id"],
                row["update_id"],
                Outgoing(row["kind"], row["chat_id"], json.loads(row["payload"])),
                row["attempts"],
            )
            for row in rows
        ]

    async def outbox_done(self, row_id: int) -> None:
        """Telegram has it (or refused it for good): forget the row."""
        async with self._lock:
            await self._db.execute("DELETE FROM outbox WHERE id = ?", (row_id,))

    async def outbox_attempted(self, row_id: int) -> int:
        """A send failed for a reason that may pass; returns the attempts so far."""
        async with self._lock:
            await self._db.execute(
                "UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (row_id,)
            )
            async with self._db.execute(
                "SELECT attempts FROM outbox WHERE id = ?", (row_id,)
            ) as cursor:
                row = await cursor.fetchone()
        return int(row["attempts"]) if row is not None else 0

    async def prune_inbox(self, keep: int = 100_000) -> int:
        """Forget the ids of all but the newest ``keep`` processed updates."""
        async with self._lock:
            cursor = await self._db.execute(
                "DELETE FROM inbox WHERE done = 1 AND update_id < "
                "(SELECT COALESCE(MAX(update_id), 0) FROM inbox) - ?",
                (keep,),
            )
            return int(cursor.rowcount)

    async def last_progress(self) -> str | None:
        return await self._meta("last_progress")

    async def _meta(self, key: str) -> str | None:
        async with self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cursor:
            row = await cursor.fetchone()
        return str(row["value"]) if row is not None else None

    async def _set_meta(self, key: str, value: str) -> None:
        await self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
