"""Operations on the database (SQL only): the heartbeat, health, online backup, and /stats figures.

The heartbeat is written by whatever proves the bot is working (the poller after a successful
getUpdates; in webhook mode a periodic job). ``health`` and ``backup`` are synchronous: they run in
``python -m bot healthcheck`` and ``python -m bot backup``, separate processes beside the bot.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.storage.sql import Database

_BACKUP_PAGES = 256  # pages copied per step; the bot can write between steps


@dataclass(frozen=True)
class Stats:
    people: int
    active_week: int
    nudges_on: int
    advice_by_principle: dict[str, int]
    advice_total: int
    with_feedback: int
    helpful: int


class OpsStorage(Database):
    async def beat(self, now: datetime) -> None:
        """Note that the bot is working (see :func:`health`)."""
        async with self._lock:
            await self._db.execute(
                "INSERT INTO meta (key, value) VALUES ('heartbeat', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (now.isoformat(),),
            )

    async def stats(self, now: datetime) -> Stats:
        """The figures /stats shows: counts only, nothing about any one person."""
        week_ago = (now - timedelta(days=7)).isoformat()

        async def one(sql: str, *args: object) -> int:
            async with self._db.execute(sql, args) as cursor:
                row = await cursor.fetchone()
            return int(row[0]) if row is not None and row[0] is not None else 0

        async with self._db.execute(
            "SELECT principle, COUNT(*) FROM advice GROUP BY principle ORDER BY principle"
        ) as cursor:
            by_principle = {str(row[0]): int(row[1]) for row in await cursor.fetchall()}
        return Stats(
            people=await one("SELECT COUNT(*) FROM users"),
            active_week=await one("SELECT COUNT(*) FROM users WHERE updated_at >= ?", week_ago),
            nudges_on=await one("SELECT COUNT(*) FROM nudges WHERE enabled = 1"),
            advice_by_principle=by_principle,
            advice_total=sum(by_principle.values()),
            with_feedback=await one("SELECT COUNT(*) FROM advice WHERE feedback IS NOT NULL"),
            helpful=await one("SELECT COUNT(*) FROM advice WHERE feedback = 'helpful'"),
        )


def health(path: Path, max_idle: float, now: datetime) -> tuple[bool, str]:
    """Is the database answering, and did the bot beat within ``max_idle`` seconds?"""
    if not path.exists():
        return False, f"no database at {path}"
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'heartbeat'").fetchone()
    except sqlite3.Error as error:
        return False, f"the database does not answer: {error}"
    if row is None:
        return False, "the bot has not reported progress yet"
    idle = (now - datetime.fromisoformat(row[0])).total_seconds()
    if idle > max_idle:
        return False, f"no progress for {idle:.0f} s (limit {max_idle:.0f} s)"
    return True, f"ok: last progress {idle:.0f} s ago"


def backup(source: Path, target: Path) -> int:
    """A consistent copy of ``source`` at ``target`` while the bot keeps running; returns bytes.

    SQLite's online backup copies a few pages at a time and restarts if the bot writes meanwhile,
    so the copy is one consistent moment. It is written beside the target and renamed into place,
    so ``target`` is never a half-written file.
    """
    if not source.exists():
        raise FileNotFoundError(f"no database at {source}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30) as src:
        with sqlite3.connect(partial) as dst:
            src.backup(dst, pages=_BACKUP_PAGES, sleep=0.001)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        dst.close()
    src.close()
    os.replace(partial, target)
    return target.stat().st_size
