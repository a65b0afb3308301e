"""Long polling that never loses an update and never processes one twice.

Why not python-telegram-bot's own Updater: it confirms a batch to Telegram (by asking for the next
offset) as soon as the batch is queued, before any of it is processed, and keeps no record of what
was processed. A crash then loses every update still in the queue, and an update redelivered after
a crash in the middle of a turn is processed again. Here a batch is confirmed only once every update
in it is done, so Telegram keeps (and after a crash redelivers) anything unfinished; each update is
marked done in the same transaction as its state change (:meth:`bot.storage.repository.Storage.save_turn`),
and an id already done is skipped. No update content is ever written to disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

import structlog
from telegram import Update
from telegram.error import Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application

from bot.shell.outbox import Deliverer
from bot.storage.repository import Storage

log = structlog.get_logger(__name__)
_BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)  # seconds between failed polls, then 30 s each
_BEAT_EVERY = 10.0  # seconds between heartbeats (a successful poll proves the bot works)
_BATCH_TIMEOUT = 120.0  # far beyond any handler's HTTP timeouts and retries
_RECENT = 10_000  # done ids remembered in memory (a few minutes of traffic at full speed)


class Services(Protocol):
    """What the poller and the ledger use of the shell's services (bot.deps.Deps has them).

    The database is opened after the poller is made, so it is read at each use, not kept.
    """

    @property
    def db(self) -> Storage: ...

    @property
    def deliverer(self) -> Deliverer: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...


class UpdateLedger:
    """Asked by the update processor before and after each update (see bot/shell/updates.py)."""

    def __init__(self, deps: Services) -> None:
        self.deps = deps
        self._in_flight: dict[int, asyncio.Future[None]] = {}
        self._committed: set[int] = set()  # done in a turn's own transaction: nothing to add
        self._newest_done: int | None = None  # the newest id done before this run (-1: none)
        self._recent: dict[int, None] = {}  # ids done in this run, newest last (a webhook may
        # deliver one again within the run); bounded by _RECENT

    def track(self, update_id: int) -> asyncio.Future[None] | None:
        """A future that completes when the update is done; None if it is already in flight."""
        if update_id in self._in_flight:
            return None
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._in_flight[update_id] = future
        return future

    async def begin(self, update: Update) -> bool:
        """True to process the update; False when it was processed before (a redelivery).

        Only an update at or below the newest id done before this run started can be a
        redelivery, so only those cost a database look-up.
        """
        if self._newest_done is None:
            self._newest_done = await self.deps.db.newest_done_update()
        if update.update_id > self._newest_done and update.update_id not in self._recent:
            return True
        fresh = await self.deps.db.begin_update(update.update_id)
        if not fresh:
            log.info("update_already_processed")
            self._done(update.update_id)
        return fresh

    def committed(self, update_id: int) -> None:
        """A turn marked this update done in its own transaction (handlers/conversation.py).

        From here on the update is safe without Telegram's copy: its state and its replies are
        committed (the outbox sends them, after a crash too). So the poller may confirm it and
        fetch the next batch now, while the replies go out, instead of after them.
        """
        self._committed.add(update_id)
        self._done(update_id)

    async def end(self, update: Update) -> None:
        """Mark it done if the handler did not (updates that are not turns)."""
        try:
            if update.update_id in self._committed:
                self._committed.discard(update.update_id)
            else:
                await self.deps.db.finish_update(update.update_id)
            self._remember(update.update_id)
        finally:
            self._done(update.update_id)

    def abandon(self, update: Update) -> None:
        """Processing was cancelled (shutdown): not done, so not confirmed either."""
        self._committed.discard(update.update_id)
        self._done(update.update_id)

    def _remember(self, update_id: int) -> None:
        self._recent[update_id] = None
        if len(self._recent) > _RECENT:
            del self._recent[next(iter(self._recent))]

    def _done(self, update_id: int) -> None:
        future = self._in_flight.pop(update_id, None)
        if future is not None and not future.done():
            future.set_result(None)


class Poller:
    """getUpdates in a loop: process the batch, then confirm it with the next offset."""

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        deps: Services,
        timeout: int,
        allowed: list[str],
    ) -> None:
        self.application = application
        self.deps = deps
        self.timeout = timeout
        self.allowed = allowed
        self._task: asyncio.Task[None] | None = None
        self._last_beat = -_BEAT_EVERY

    async def start(self) -> None:
        """Send what a previous run committed but did not send, then start polling."""
        deps = self.deps
        await deps.deliverer.flush_all(self.application.bot, deps.db)
        await self._beat()
        self._task = asyncio.create_task(self._loop(), name="poller")

    async def stop(self) -> None:
        """Stop asking for updates; unconfirmed ones stay with Telegram until the next start."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def ledger(self) -> UpdateLedger:
        processor = self.application.update_processor
        ledger = getattr(processor, "ledger", None)
        assert isinstance(ledger, UpdateLedger), "the ledger is set in post_init"
        return ledger

    async def _loop(self) -> None:
        bot = self.application.bot
        offset: int | None = None
        failures = 0
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=self.timeout, allowed_updates=self.allowed
                )
            except (InvalidToken, Forbidden, Conflict) as error:
                # Another instance polls with this token, or the token is wrong: say so loudly,
                # and keep trying slowly (an operator may fix it without a restart).
                log.error("polling_refused", error=type(error).__name__)
                await asyncio.sleep(_BACKOFF[-1])
                continue
            except RetryAfter as error:
                wait = error.retry_after
                await asyncio.sleep(wait.total_seconds() if isinstance(wait, timedelta) else wait)
                continue
            except NetworkError as error:
                delay = _BACKOFF[min(failures, len(_BACKOFF) - 1)]
                failures += 1
                log.warning("polling_failed", error=type(error).__name__, retry_in=delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            await self._beat()
            if updates:
                await self._process(updates)
                offset = updates[-1].update_id + 1  # the next poll confirms this batch

    async def _beat(self) -> None:
        """Tell the health check we are alive, at most every ``_BEAT_EVERY`` seconds."""
        now = time.monotonic()
        if now - self._last_beat >= _BEAT_EVERY:
            self._last_beat = now
            await self.deps.db.beat(self.deps.clock())

    async def _process(self, updates: tuple[Update, ...]) -> None:
        """Queue the batch (chats run side by side) and wait until every update in it is done."""
        waiting = []
        for update in updates:
            future = self.ledger.track(update.update_id)
            if future is None:
                continue  # still in flight from an earlier poll
            waiting.append(future)
            await self.application.update_queue.put(update)
        if not waiting:
            return
        _finished, pending = await asyncio.wait(waiting, timeout=_BATCH_TIMEOUT)
        if pending:  # a handler stuck past every HTTP timeout: confirm anyway, but say so
            log.error("batch_not_finished", pending=len(pending), seconds=_BATCH_TIMEOUT)
