"""What the handlers need, built once at start-up and kept in ``application.bot_data``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from telegram import Bot

from bot.content.loader import Content
from bot.engine import Engine
from bot.scheduled.nudges import NudgeSender
from bot.shell.flood import FloodGate
from bot.shell.logs import UserHasher
from bot.shell.outbox import Deliverer
from bot.storage.repository import Storage

DEPS_KEY = "deps"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    content: Content
    engine: Engine
    hasher: UserHasher
    database_path: str
    clock: Callable[[], datetime] = utc_now
    flood: FloodGate = field(default_factory=FloodGate)
    failures: int = 0  # updates that reached the error handler
    storage: Storage | None = field(default=None)  # opened in post_init, closed in post_shutdown
    nudger: NudgeSender | None = None
    nudge_bot: Bot | None = (
        None  # broadcasts go through their own rate limiter (bot/scheduled/nudges.py)
    )
    deliverer: Deliverer = field(
        default_factory=Deliverer
    )  # sends the outbox (bot/shell/outbox.py)
    admin_ids: frozenset[int] = frozenset()  # who may use /stats
    poller: Any = None  # bot.shell.poller.Poller in polling mode (it imports this module)
    ledger: Any = None  # bot.shell.poller.UpdateLedger, once the database is open

    @property
    def db(self) -> Storage:
        if self.storage is None:
            raise RuntimeError("the database is not open yet")
        return self.storage


def get_deps(bot_data: dict[Any, Any]) -> Deps:
    deps = bot_data[DEPS_KEY]
    assert isinstance(deps, Deps)
    return deps
