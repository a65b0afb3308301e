"""Exactly-once bookkeeping (SQL only; :class:`bot.storage.repository.Storage` inherits it).

``inbox`` holds the ids of updates being processed and done (never their content), so an update
Telegram delivers again is recognised and skipped. ``outbox`` holds the replies a turn decided on,
committed in the same transaction as the new state; a row is deleted once Telegram has it.
``meta`` keeps the heartbeat for the health check (bot/storage/ops.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.storage.sql import Database, Statement

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


def finish_update(update_id: int) -> Statement:
    return Statement("INSERT OR REPLACE INTO inbox (update_id, done) VALUES (?, 1)", (update_id,))


def queue_outgoing(update_id: int | None, outgoing: Iterable[Outgoing]) -> Statement:
    rows = [(update_id, i.chat_id, i.kind, json.dumps(i.payload)) for i in outgoing]
    sql = "INSERT INTO outbox (update_id, chat_id, kind, payload) VALUES (?, ?, ?, ?)"
    return Statement(sql, rows, many=True, inserts_ids=True)


class InboxStorage(Database):
    async def begin_update(self, update_id: int) -> bool:
        """Note that an update is being processed; False when it was processed before.

        Only the id is kept, never the update's content: Telegram itself holds an update until
        the poller confirms it, which it does only once the update is done (bot/shell/poller.py).
        """
        rows = await self._db.execute_fetchall(
            "SELECT 1 FROM inbox WHERE update_id = ? AND done = 1", (update_id,)
        )
        return not rows

    async def newest_done_update(self) -> int:
        """The newest update id marked done (-1 when none): anything newer is new."""
        rows = await self._db.execute_fetchall("SELECT MAX(update_id) FROM inbox WHERE done = 1")
        value = next(iter(rows))[0]
        return int(value) if value is not None else -1

    async def finish_update(self, update_id: int) -> None:
        """Mark an update processed (one statement, so atomic on its own)."""
        statement = finish_update(update_id)
        async with self._lock:
            await self._db.execute(statement.sql, statement.params)

    async def pending_outbox(
        self, chat_id: int | None = None, limit: int = 10_000
    ) -> list[OutboxRow]:
        """Replies committed but not yet confirmed sent, in order (one chat's, or all)."""
        where, args = ("WHERE chat_id = ?", (chat_id,)) if chat_id is not None else ("", ())
        rows = await self._db.execute_fetchall(
            f"SELECT id, update_id, chat_id, kind, payload, attempts FROM outbox {where} "
            "ORDER BY id LIMIT ?",
            (*args, limit),
        )
        return [
            OutboxRow(
                row["id"],
                row["update_id"],
                Outgoing(row["kind"], row["chat_id"], json.loads(row["payload"])),
                row["attempts"],
            )
            for row in rows
        ]

    async def chats_with_outbox(self) -> set[int]:
        """Chats that have replies waiting from before (sent first, in order, before new ones)."""
        rows = await self._db.execute_fetchall("SELECT DISTINCT chat_id FROM outbox")
        return {int(row[0]) for row in rows}

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
