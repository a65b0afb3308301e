"""The nudge half of storage (SQL only; :class:`bot.storage.repository.Storage` inherits it).

Times that the due query compares are stored as integer Unix seconds, so "who is due" is one range
scan over the partial index ``nudges_due`` (only people with nudges on are in it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import aiosqlite

from bot.engine.model import NudgePrefs
from bot.engine.schedule import Slot
from bot.storage.sql import Database, Statement


@dataclass(frozen=True)
class DueNudge:
    """One person whose nudge is due, with what the sweep needs to send it."""

    user_id: int
    chat_id: int
    pronoun: str | None
    prefs: NudgePrefs
    sent_count: int
    attempts: int


def _ts(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def _dt(seconds: int | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, UTC) if seconds is not None else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


_PREFS_COLUMNS = (
    "n.enabled, n.at, n.zone, n.paused_until, n.next_due, n.day_end, n.due_date, n.sent_through, "
    "n.first_principle, n.offered, n.off_reason, n.sent_count"
)


def _prefs(row: aiosqlite.Row) -> NudgePrefs:
    return NudgePrefs(
        enabled=bool(row["enabled"]),
        at=row["at"],
        zone=row["zone"],
        paused_until=datetime.fromisoformat(row["paused_until"]) if row["paused_until"] else None,
        next_due=_dt(row["next_due"]),
        day_end=_dt(row["day_end"]),
        due_date=_day(row["due_date"]),
        sent_through=_day(row["sent_through"]),
        first=row["first_principle"],
        offered=bool(row["offered"]),
        off_reason=row["off_reason"],
        sent=row["sent_count"],
    )


def save_nudges(user_id: int, prefs: NudgePrefs, stamp: str) -> Statement:
    """Upsert what the person controls; the sweep's own fields (sent_*) are left alone."""
    return Statement(
        """
        INSERT INTO nudges (user_id, enabled, at, zone, paused_until, next_due, day_end,
                            due_date, first_principle, offered, off_reason, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET
            enabled = excluded.enabled, at = excluded.at, zone = excluded.zone,
            paused_until = excluded.paused_until, next_due = excluded.next_due,
            day_end = excluded.day_end, due_date = excluded.due_date,
            first_principle = excluded.first_principle, offered = excluded.offered,
            off_reason = excluded.off_reason, attempts = 0, updated_at = excluded.updated_at
        """,
        (
            user_id,
            int(prefs.enabled),
            prefs.at,
            prefs.zone,
            prefs.paused_until.isoformat() if prefs.paused_until else None,
            _ts(prefs.next_due),
            _ts(prefs.day_end),
            prefs.due_date.isoformat() if prefs.due_date else None,
            prefs.first,
            int(prefs.offered),
            prefs.off_reason,
            stamp,
        ),
    )


def _log_outcome(user_id: int, local_date: date, outcome: str) -> Statement:
    """What became of one date's nudge: sent, blocked or failed."""
    return Statement(
        "UPDATE nudge_log SET outcome = ? WHERE user_id = ? AND local_date = ?",
        (outcome, user_id, local_date.isoformat()),
    )


class NudgeStorage(Database):
    async def due_nudges(self, now: datetime, limit: int) -> list[DueNudge]:
        """Up to ``limit`` people whose nudge is due at ``now``, the longest-waiting first."""
        async with self._db.execute(
            f"""
            SELECT n.user_id, u.chat_id, u.pronoun, n.sent_count, n.attempts, {_PREFS_COLUMNS}
            FROM nudges n JOIN users u ON u.user_id = n.user_id
            WHERE n.enabled = 1 AND n.next_due <= ?
            ORDER BY n.next_due LIMIT ?
            """,
            (_ts(now), limit),
        ) as cursor:
            rows = await cursor.fetchall()
        return [
            DueNudge(
                row["user_id"],
                row["chat_id"],
                row["pronoun"],
                _prefs(row),
                row["sent_count"],
                row["attempts"],
            )
            for row in rows
        ]

    async def claim_nudge(
        self, user_id: int, local_date: date, principle: str, variant: int, now: datetime
    ) -> bool:
        """Record that this date's nudge is being sent; False if that date already has one."""
        claim = Statement(
            "INSERT OR IGNORE INTO nudge_log (user_id, local_date, principle, variant, outcome, at) "
            "VALUES (?, ?, ?, ?, 'sending', ?)",
            (user_id, local_date.isoformat(), principle, variant, now.isoformat()),
            inserts_ids=True,
        )
        return bool(await self._write([claim]))

    async def nudge_sent(self, user_id: int, local_date: date, following: Slot) -> None:
        """The nudge went out: count it and move the person to their next slot."""
        await self._write(
            [
                _log_outcome(user_id, local_date, "sent"),
                Statement(
                    "UPDATE nudges SET sent_count = sent_count + 1, sent_through = ?, "
                    "next_due = ?, day_end = ?, due_date = ?, attempts = 0 WHERE user_id = ?",
                    (
                        local_date.isoformat(),
                        _ts(following.due),
                        _ts(following.day_end),
                        following.local_date.isoformat(),
                        user_id,
                    ),
                ),
            ]
        )

    async def nudge_retry_later(
        self, user_id: int, local_date: date, retry_at: datetime, attempts: int
    ) -> None:
        """Sending failed for a reason that may pass: release the date's claim, try at ``retry_at``."""
        await self._write(
            [
                Statement(
                    "DELETE FROM nudge_log WHERE user_id = ? AND local_date = ? "
                    "AND outcome = 'sending'",
                    (user_id, local_date.isoformat()),
                ),
                Statement(
                    "UPDATE nudges SET next_due = ?, attempts = ? WHERE user_id = ?",
                    (_ts(retry_at), attempts, user_id),
                ),
            ]
        )

    async def nudge_failed(self, user_id: int, local_date: date) -> None:
        """Give up on this date's nudge (kept as 'failed', so the date is not tried again)."""
        await self._write([_log_outcome(user_id, local_date, "failed")])

    async def reschedule_nudge(self, user_id: int, slot: Slot) -> None:
        """Move the person to ``slot`` without sending (the day passed, or it was already sent)."""
        await self._write(
            [
                Statement(
                    "UPDATE nudges SET next_due = ?, day_end = ?, due_date = ?, attempts = 0 "
                    "WHERE user_id = ?",
                    (_ts(slot.due), _ts(slot.day_end), slot.local_date.isoformat(), user_id),
                )
            ]
        )

    async def nudges_undeliverable(
        self, user_id: int, local_date: date | None, reason: str = "blocked"
    ) -> None:
        """The person blocked the bot (or the chat is gone): nudges off, and why."""
        switch_off = Statement(
            "UPDATE nudges SET enabled = 0, off_reason = ?, next_due = NULL, day_end = NULL, "
            "due_date = NULL WHERE user_id = ? AND enabled = 1",
            (reason, user_id),
        )
        outcome = [] if local_date is None else [_log_outcome(user_id, local_date, "blocked")]
        await self._write([*outcome, switch_off])

    async def prune_nudge_log(self, before: date) -> int:
        """Forget nudge records older than ``before`` (they only matter for a few weeks)."""
        async with self._lock:  # one statement: atomic on its own
            cursor = await self._db.execute(
                "DELETE FROM nudge_log WHERE local_date < ?", (before.isoformat(),)
            )
            return int(cursor.rowcount)

    async def nudge_log(self, user_id: int) -> list[tuple[str, str, str]]:
        """(local date, principle, outcome) of each nudge recorded for one person, oldest first."""
        async with self._db.execute(
            "SELECT local_date, principle, outcome FROM nudge_log WHERE user_id = ? "
            "ORDER BY local_date",
            (user_id,),
        ) as cursor:
            return [(row[0], row[1], row[2]) for row in await cursor.fetchall()]


@dataclass(frozen=True)
class SeedPerson:
    """One person with nudges, as :func:`bulk_load_people` writes them (benchmarks, imports)."""

    user_id: int
    enabled: bool
    at: str
    zone: str
    slot: Slot


def bulk_load_people(path: str, people: Iterable[SeedPerson], stamp: datetime) -> int:
    """Insert many people with nudge settings in one transaction (synchronous; a migrated file).

    A million rows load in seconds this way, where a turn per person would take minutes.
    """
    when = stamp.isoformat()
    count = 0
    with sqlite3.connect(path) as db:
        for chunk in _chunks(people, 10_000):
            db.executemany(
                "INSERT INTO users (user_id, chat_id, step, pronoun, created_at, updated_at) "
                "VALUES (?, ?, 'ask_situation', 'they', ?, ?)",
                [(p.user_id, p.user_id, when, when) for p in chunk],
            )
            db.executemany(
                "INSERT INTO nudges (user_id, enabled, at, zone, next_due, day_end, due_date, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        p.user_id,
                        int(p.enabled),
                        p.at,
                        p.zone,
                        _ts(p.slot.due) if p.enabled else None,
                        _ts(p.slot.day_end) if p.enabled else None,
                        p.slot.local_date.isoformat() if p.enabled else None,
                        when,
                    )
                    for p in chunk
                ],
            )
            count += len(chunk)
    return count


def _chunks(items: Iterable[SeedPerson], size: int) -> Iterator[list[SeedPerson]]:
    chunk: list[SeedPerson] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
