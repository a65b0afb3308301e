"""The daily-nudge sweep: one periodic job asks storage who is due and sends their nudge.

Per person and day the order is: claim the local date in ``nudge_log`` (its primary key refuses a
second claim), send, then record the send and the next slot. So a crash or restart can lose at most
the one nudge that was on the wire, and never sends a second one on the same local date. Sends go
through their own bot whose AIORateLimiter keeps under Telegram's broadcast limit (about 30
messages a second) and waits out RetryAfter, so replies to people chatting are never queued behind
a broadcast.
"""

from __future__ import annotations

import asyncio
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.content.loader import PRINCIPLES, Content
from bot.engine.nudge_flow import slot_after
from bot.engine.nudge_views import NudgeViews
from bot.engine.schedule import rotation
from bot.shell.logs import UserHasher
from bot.shell.outbox import outgoing_for, send_outgoing
from bot.storage.nudges import DueNudge
from bot.storage.repository import Storage

log = structlog.get_logger(__name__)
KEEP_LOG = timedelta(days=60)  # the log prevents a second nudge on one date; /mydata shows it


@dataclass
class SweepReport:
    sent: int = 0
    blocked: int = 0
    retried: int = 0  # failed for now (429 past the limiter's retries, network): later today
    failed: int = 0  # gave up for the day
    missed: int = 0  # the person's day ended before we could send (the bot was down)
    already_sent: int = 0  # that local date already had its nudge: nothing sent


class NudgeSender:
    """Runs sweeps; at most one at a time."""

    def __init__(
        self,
        content: Content,
        hasher: UserHasher,
        batch: int = 200,
        concurrency: int = 8,
        max_attempts: int = 5,
        retry_delay: timedelta = timedelta(minutes=2),
        max_batches: int = 10_000,
    ) -> None:
        self.content = content
        self.hasher = hasher
        self.batch = batch
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.max_batches = max_batches
        self._pool_sizes = [len(getattr(content.nudges.pool, key)) for key in PRINCIPLES]
        self._running = asyncio.Lock()

    @property
    def busy(self) -> bool:
        return self._running.locked()

    async def sweep(
        self,
        db: Storage,
        bot: Bot,
        now: Callable[[], datetime],
        keep_going: Callable[[], bool] = lambda: True,
    ) -> SweepReport:
        """Send every nudge that is due, batch by batch, until nobody is due.

        ``keep_going`` is asked before each send: when the bot is stopping, sends in flight finish
        and nobody else is claimed, so a shutdown never waits for a whole broadcast.
        """
        report = SweepReport()
        if self.busy:
            return report  # the previous sweep is still sending: it will pick these people up
        started = clock.monotonic()
        async with self._running:
            gate = asyncio.Semaphore(self.concurrency)
            for _ in range(self.max_batches):
                if not keep_going():
                    break
                moment = now()
                due = await db.due_nudges(moment, self.batch)
                if not due:
                    break
                await asyncio.gather(
                    *(self._one(db, bot, item, moment, gate, report, keep_going) for item in due)
                )
        if any(vars(report).values()):
            log.info("nudge_sweep", seconds=round(clock.monotonic() - started, 3), **vars(report))
        return report

    async def _one(
        self,
        db: Storage,
        bot: Bot,
        item: DueNudge,
        now: datetime,
        gate: asyncio.Semaphore,
        report: SweepReport,
        keep_going: Callable[[], bool],
    ) -> None:
        prefs = item.prefs
        if prefs.due_date is None or prefs.day_end is None or now >= prefs.day_end:
            report.missed += prefs.due_date is not None
            slot = slot_after(prefs, now, catch_up=True)
            if slot is None:  # the stored settings no longer make sense: switch off, say why
                await db.nudges_undeliverable(item.user_id, None, "invalid")
            else:
                await db.reschedule_nudge(item.user_id, slot)
            return
        index, variant = rotation(prefs.first, item.sent_count, self._pool_sizes)
        async with gate:  # claim only when about to send, so a stop leaves nobody claimed
            if not keep_going():
                return
            await self._claim_and_send(db, bot, item, now, report, index, variant)

    async def _claim_and_send(
        self,
        db: Storage,
        bot: Bot,
        item: DueNudge,
        now: datetime,
        report: SweepReport,
        index: int,
        variant: int,
    ) -> None:
        prefs = item.prefs
        assert prefs.due_date is not None
        day = prefs.due_date
        principle, reply = NudgeViews(self.content, item.pronoun).nudge(index, variant)
        if not await db.claim_nudge(item.user_id, day, principle, variant, now):
            report.already_sent += 1
            await self._move_on(db, item, now)
            return
        try:
            await send_outgoing(bot, outgoing_for(item.chat_id, (reply,), None, None)[0])
        except Forbidden:
            report.blocked += 1
            log.info("nudges_off_blocked", user=self.hasher(item.user_id))
            await db.nudges_undeliverable(item.user_id, day, "blocked")
        except BadRequest:  # e.g. "chat not found": the account is gone
            report.blocked += 1
            log.info("nudges_off_undeliverable", user=self.hasher(item.user_id))
            await db.nudges_undeliverable(item.user_id, day, "undeliverable")
        except (RetryAfter, NetworkError, TelegramError) as error:
            await self._later(db, item, now, error, report)
        else:
            report.sent += 1
            following = slot_after(prefs, now, day)
            assert following is not None  # prefs were valid a moment ago
            await db.nudge_sent(item.user_id, day, following)

    async def _later(
        self, db: Storage, item: DueNudge, now: datetime, error: TelegramError, report: SweepReport
    ) -> None:
        """Retry later the same local day; past the attempts or the person's midnight, give up."""
        wait = self.retry_delay * (item.attempts + 1)
        if isinstance(error, RetryAfter):
            asked = error.retry_after
            wait = max(wait, asked if isinstance(asked, timedelta) else timedelta(seconds=asked))
        retry_at = now + wait
        prefs = item.prefs
        assert prefs.due_date is not None and prefs.day_end is not None
        if item.attempts + 1 < self.max_attempts and retry_at < prefs.day_end:
            report.retried += 1
            log.info("nudge_retry", user=self.hasher(item.user_id), error=type(error).__name__)
            await db.nudge_retry_later(item.user_id, prefs.due_date, retry_at, item.attempts + 1)
            return
        report.failed += 1
        log.warning(
            "nudge_failed_today", user=self.hasher(item.user_id), error=type(error).__name__
        )
        await db.nudge_failed(item.user_id, prefs.due_date)
        await self._move_on(db, item, now)

    async def _move_on(self, db: Storage, item: DueNudge, now: datetime) -> None:
        """This date is done (sent, or given up): move to the next date's slot."""
        slot = slot_after(item.prefs, now, item.prefs.due_date)
        if slot is not None:
            await db.reschedule_nudge(item.user_id, slot)
