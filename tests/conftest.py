"""Shared fixtures: the Bot API emulator on 127.0.0.1, and the real bot running against it."""

from __future__ import annotations

import io
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import structlog

from bot.app import build_application, start_polling, stop_polling
from bot.content.loader import Content, default_content_dir, load_content
from bot.emulator import BotApiEmulator, Person
from bot.engine import Engine
from bot.settings import Settings
from bot.shell.logs import configure_logging
from bot.understanding.models import build_router, build_screen


def rows(database: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """What the database holds, read directly, as the end-to-end tests check it."""
    with sqlite3.connect(database) as connection:
        return connection.execute(sql, args).fetchall()


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


def make_engine(content: Content, country: str = "INTL") -> Engine:
    return Engine(
        content,
        build_router(content, default_content_dir()),
        build_screen(content, default_content_dir()),
        country,
    )


@pytest.fixture(scope="session")
def engine(content: Content) -> Engine:
    return make_engine(content)


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    server = BotApiEmulator()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def json_logs(emulator: BotApiEmulator) -> Iterator[io.StringIO]:
    """The bot's real logging pipeline (JSON, token scrubbed), written to a string to search."""
    stream = io.StringIO()
    configure_logging("DEBUG", "json", [emulator.token])
    logging.getLogger().handlers[0].setStream(stream)  # type: ignore[attr-defined]
    yield stream
    logging.getLogger().handlers.clear()
    structlog.reset_defaults()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "bot.sqlite3"


def bot_settings(emulator: BotApiEmulator, database: Path, **overrides: Any) -> Settings:
    return Settings(
        bot_token=emulator.token,  # type: ignore[arg-type]
        bot_api_base_url=emulator.base_url,
        database_path=database,
        log_format="json",
        log_level="INFO",
        log_salt=None,
        **overrides,
    )


class RunningBot:
    """Starts and stops the real Application; ``restart()`` is a stop and a fresh start."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        database: Path,
        clock: Callable[[], datetime] | None = None,
        **settings: Any,
    ) -> None:
        self.emulator = emulator
        self.database = database
        self.clock = clock  # the bot's "now" (the default: the real time)
        # Simulated people tap faster than real ones: only the flood tests use the real limit.
        self.settings = {"flood_limit": 1000, **settings}
        self.application: Any = None

    async def start(self) -> None:
        self.application = build_application(
            bot_settings(self.emulator, self.database, **self.settings)
        )
        if self.clock is not None:
            self.deps.clock = self.clock
        await start_polling(self.application)

    async def stop(self) -> None:
        if self.application is not None:
            await stop_polling(self.application)
            self.application = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def deps(self) -> Any:
        return self.application.bot_data["deps"]


@pytest.fixture
async def bot(emulator: BotApiEmulator, database: Path) -> AsyncIterator[RunningBot]:
    running = RunningBot(emulator, database)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
def person(emulator: BotApiEmulator) -> Callable[..., Person]:
    def make(user_id: int = 1001, first_name: str = "Sam", **kwargs: Any) -> Person:
        return Person(emulator, user_id, first_name, **kwargs)

    return make


Onboard = Callable[[Person, str], Awaitable[None]]


@pytest.fixture
def onboard() -> Onboard:
    """Take a person through /start and the pronoun question."""

    async def run(someone: Person, pronoun: str = "He") -> None:
        someone.send("/start")
        await someone.replies(2)
        someone.press(pronoun)
        await someone.replies(2)

    return run
