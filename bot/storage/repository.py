"""The repository: people's state, advice history and group notices, in SQLite (with its parts
storage_nudges, storage_inbox and storage_ops, and the schema in migrations.py, the only SQL).

WAL journal, numbered migrations (``PRAGMA user_version``), and write-through: a turn's new state and
its effects are committed in one transaction before any reply is sent. ``synchronous=NORMAL`` in WAL
mode keeps every commit across a crash or kill of the process (only a power cut can lose the last one).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.engine import AdviceGiven, EraseData, FeedbackGiven, UserState
from bot.engine.model import Effect, SafetyHit, SaveNudges, SavePlanSection
from bot.storage.inbox import InboxStorage, Outgoing, finish_update, queue_outgoing
from bot.storage.migrations import MIGRATIONS
from bot.storage.nudges import _PREFS_COLUMNS, NudgeStorage, _prefs, save_nudges
from bot.storage.ops import OpsStorage
from bot.storage.sql import Statement

SCHEMA_VERSION = len(MIGRATIONS)
# Every table that holds rows about a person, for /forget and /mydata.
USER_TABLES = ("advice", "safety_events", "safety_plans", "nudge_log", "nudges", "users")
_EXPORT_ORDER = {
    "users": "user_id",
    "nudges": "user_id",
    "nudge_log": "local_date",
    "advice": "number",
    "safety_events": "at",
    "safety_plans": "section",
}


def _json_object(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _upsert_user(user_id: int, chat_id: int, state: UserState, stamp: str) -> Statement:
    return Statement(
        """
        INSERT INTO users (user_id, chat_id, step, data, memory, pronoun, consent_at, advice_count,
                           created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET
            chat_id = excluded.chat_id, step = excluded.step, data = excluded.data,
            memory = excluded.memory, pronoun = excluded.pronoun, consent_at = excluded.consent_at,
            advice_count = excluded.advice_count, updated_at = excluded.updated_at
        """,
        (
            user_id,
            chat_id,
            state.step,
            json.dumps(state.data, separators=(",", ":")),
            json.dumps(state.memory, separators=(",", ":")),
            state.pronoun,
            state.consent_at.isoformat() if state.consent_at else None,
            state.advice_count,
            stamp,
            stamp,
        ),
    )


def _apply(user_id: int, effect: Effect, stamp: str) -> Statement | None:
    """The statement that records one effect of a turn."""
    if isinstance(effect, AdviceGiven):
        return Statement(
            "INSERT OR REPLACE INTO advice (user_id, number, principle, method, situation, "
            "given_at) VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, effect.number, effect.principle, effect.method, effect.situation, stamp),
        )
    if isinstance(effect, FeedbackGiven):
        return Statement(
            "UPDATE advice SET feedback = ?, feedback_at = ? WHERE user_id = ? AND number = ?",
            ("helpful" if effect.helpful else "not_quite", stamp, user_id, effect.number),
        )
    if isinstance(effect, SafetyHit):
        return Statement(
            "INSERT INTO safety_events (user_id, category, at) VALUES (?, ?, ?)",
            (user_id, effect.risk, stamp),
        )
    if isinstance(effect, SaveNudges):
        return save_nudges(user_id, effect.prefs, stamp)
    if isinstance(effect, SavePlanSection):
        return Statement(
            "INSERT INTO safety_plans (user_id, section, text, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id, section) DO UPDATE SET text = excluded.text, "
            "updated_at = excluded.updated_at",
            (user_id, effect.section, effect.text, stamp),
        )
    return None  # effects that write nothing here (an export is read, not written)


def _erase(table: str, user_id: int) -> Statement:
    return Statement(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))


class Storage(NudgeStorage, InboxStorage, OpsStorage):
    """An open database. Use :meth:`open`; every write goes through one short transaction."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._db = connection
        self._lock = asyncio.Lock()  # one transaction at a time on the shared connection

    @classmethod
    async def open(cls, path: Path | str) -> Storage:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(str(path), isolation_level=None)
        connection.row_factory = aiosqlite.Row
        storage = cls(connection)
        try:
            for pragma in (
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=5000",
            ):
                await connection.execute(pragma)
            await storage.migrate()
        except BaseException:
            await connection.close()  # a refused or broken file must not leak its connection
            raise
        return storage

    async def close(self) -> None:
        async with self._lock:
            await self._db.close()

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> None:
        """Apply every migration newer than the file, each in its own transaction."""
        version = await self.schema_version()
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"the database is at schema version {version}, newer than this code "
                f"({SCHEMA_VERSION}); run a newer release"
            )
        async with self._lock:
            for number in range(version + 1, SCHEMA_VERSION + 1):
                await self._db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in MIGRATIONS[number - 1].split(";"):
                        if statement.strip():
                            await self._db.execute(statement)
                    await self._db.execute(f"PRAGMA user_version = {number}")
                except BaseException:
                    await self._db.execute("ROLLBACK")
                    raise
                await self._db.execute("COMMIT")

    # ------------------------------------------------------------------ people
    async def load_user(self, user_id: int) -> UserState:
        """Everything the engine needs about a person, in one query (it runs for every update)."""
        rows = await self._db.execute_fetchall(
            f"""
            SELECT u.step, u.data, u.memory, u.pronoun, u.consent_at, u.advice_count,
                   n.user_id AS has_nudges, {_PREFS_COLUMNS},
                   (SELECT json_group_object(section, text) FROM safety_plans p
                    WHERE p.user_id = u.user_id) AS plan
            FROM users u LEFT JOIN nudges n ON n.user_id = u.user_id
            WHERE u.user_id = ?
            """,
            (user_id,),
        )
        row = next(iter(rows), None)
        if row is None:
            return UserState()
        data, plan = _json_object(row["data"]), _json_object(row["plan"])
        return UserState(
            nudges=_prefs(row) if row["has_nudges"] is not None else None,
            pronoun=row["pronoun"],
            consent_at=datetime.fromisoformat(row["consent_at"]) if row["consent_at"] else None,
            advice_count=row["advice_count"],
            data=data,
            memory=_json_object(row["memory"]),
            plan={str(k): str(v) for k, v in plan.items()},
        ).moved_to(row["step"])

    async def save_turn(
        self,
        user_id: int,
        chat_id: int,
        state: UserState,
        effects: Iterable[Effect],
        now: datetime,
        update_id: int | None = None,
        outgoing: Iterable[Outgoing] = (),
    ) -> list[int]:
        """Commit the new state, the turn's effects, its replies and "update done" together.

        Returns the outbox ids of ``outgoing``, in order.

        So after a crash an update either changed nothing (and runs again) or changed everything
        and has its replies waiting in the outbox (which are sent, not decided again).
        """
        effects = list(effects)
        stamp = now.isoformat()
        if any(isinstance(effect, EraseData) for effect in effects):
            statements = [_erase(table, user_id) for table in USER_TABLES]
        else:
            statements = [_upsert_user(user_id, chat_id, state, stamp)]
            statements += [st for e in effects if (st := _apply(user_id, e, stamp)) is not None]
        statements.append(queue_outgoing(update_id, outgoing))
        if update_id is not None:
            statements.append(finish_update(update_id))
        return await self._write(statements)

    async def export_user(self, user_id: int) -> dict[str, Any] | None:
        """Everything stored about one person, as plain JSON-ready values (None: nothing)."""
        export: dict[str, Any] = {}
        for table in reversed(USER_TABLES):
            async with self._db.execute(
                f"SELECT * FROM {table} WHERE user_id = ? ORDER BY {_EXPORT_ORDER[table]}",
                (user_id,),
            ) as cursor:
                rows = [dict(row) for row in await cursor.fetchall()]
            for row in rows:
                if "data" in row:
                    row["data"] = json.loads(row["data"])
            export[table] = rows
        if not export["users"]:
            return None
        export["user"] = export.pop("users")[0]
        return export

    # ------------------------------------------------------------------ chats
    async def first_group_notice(self, chat_id: int, now: datetime) -> bool:
        """Record that a group was told the bot works in private; True only the first time."""
        async with self._lock:
            cursor = await self._db.execute(
                "INSERT OR IGNORE INTO group_notices (chat_id, notified_at) VALUES (?, ?)",
                (chat_id, now.isoformat()),
            )
            return cursor.rowcount == 1

    async def count_rows(self, table: str, user_id: int) -> int:
        """How many rows of ``table`` are about ``user_id`` (for checks and tests)."""
        if table not in USER_TABLES:
            raise ValueError(table)
        async with self._db.execute(
            f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", (user_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0
