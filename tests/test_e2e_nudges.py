"""Daily nudges end to end: the real Application, its JobQueue sweep and the emulator, a fake clock."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.emulator import BotApiEmulator, Fault, Person
from bot.engine.schedule import slot_for, zone
from bot.storage.nudges import SeedPerson, bulk_load_people
from bot.storage.repository import Storage
from tests.conftest import Onboard, RunningBot

START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # noon in London
SWEEP = 0.05  # seconds between sweeps in these tests (the default is 30)


class FakeClock:
    """The bot's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def nudging(
    emulator: BotApiEmulator, database, clock: FakeClock
) -> AsyncIterator[RunningBot]:
    """The bot on the fake clock, sweeping for nudges every ``SWEEP`` seconds."""
    running = RunningBot(emulator, database, clock=clock, nudge_sweep_seconds=SWEEP)
    await running.start()
    yield running
    await running.stop()


async def a_few_sweeps() -> None:
    await asyncio.sleep(SWEEP * 10)


async def opt_in_london_morning(someone: Person, onboard: Onboard) -> None:
    await onboard(someone, "She")
    someone.send("/nudges")
    assert "Daily nudges" in (await someone.reply()).text
    someone.press("🔔 Yes, once a day")
    await someone.reply()
    someone.press("🌅 Morning (08:00)")
    await someone.reply()
    someone.press("London")
    status = await someone.reply()
    assert "Your nudges are on" in status.text
    assert "Wed 25 Nov, 08:00" in status.text


def nudges_in(someone: Person) -> list[str]:
    return [
        e.payload["text"]
        for e in someone.emulator.events[someone.chat_id]
        if e.kind == "message" and e.payload["text"].startswith("🌱 Today's nudge")
    ]


def rows(database, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


async def test_opt_in_then_exactly_one_nudge_a_day_even_across_a_restart(
    database, clock, nudging, person, onboard
):
    running = nudging
    someone = person(3001, "Ana")
    await opt_in_london_morning(someone, onboard)
    await a_few_sweeps()
    assert nudges_in(someone) == [], "nothing before the chosen time"

    clock.now = datetime(2026, 11, 25, 8, 0, 30, tzinfo=UTC)
    nudge = await someone.reply()
    assert nudge.text.startswith("🌱 Today's nudge")
    assert nudge.labels == ["📖 Tell me more", "⏸ Pause 7 days", "🔕 Stop nudges"]
    await a_few_sweeps()
    await running.restart()
    clock.advance(hours=3)
    await a_few_sweeps()
    assert len(nudges_in(someone)) == 1, "one nudge per local day, restart or not"
    assert rows(database, "SELECT local_date, outcome FROM nudge_log") == [("2026-11-25", "sent")]

    someone.press("📖 Tell me more", on=nudge)
    more = await someone.reply()
    assert "To think about" in more.text, "the nudge's principle, in full"

    clock.now = datetime(2026, 11, 26, 8, 1, tzinfo=UTC)
    second = await someone.reply()
    assert second.text.startswith("🌱 Today's nudge") and second.text != nudge.text
    principles = rows(database, "SELECT principle FROM nudge_log ORDER BY local_date")
    assert principles[0] != principles[1], "a different principle the next day"


async def test_downtime_catches_up_the_same_day_but_not_after_midnight(
    database, clock, nudging, person, onboard
):
    running = nudging
    someone = person(3002, "Bea")
    await opt_in_london_morning(someone, onboard)
    await running.stop()
    try:
        clock.now = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # down all day until 23:30
        await running.start()
        assert (await someone.reply()).text.startswith("🌱 Today's nudge")
        await running.stop()
        clock.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # down through the 26th
        await running.start()
        late = await someone.reply()
        assert late.text.startswith("🌱 Today's nudge")
        assert rows(database, "SELECT local_date FROM nudge_log ORDER BY local_date") == [
            ("2026-11-25",),
            ("2026-11-27",),
        ], "the 26th was missed, not sent on the 27th as a second nudge"
    finally:
        await running.stop()


async def test_pause_from_a_nudge_and_stop_with_a_confirmation(
    database, clock, nudging, person, onboard
):
    someone = person(3003, "Cy")
    await opt_in_london_morning(someone, onboard)
    clock.now = datetime(2026, 11, 25, 8, 5, tzinfo=UTC)
    nudge = await someone.reply()
    someone.press("⏸ Pause 7 days", on=nudge)
    paused = await someone.reply()
    assert "Paused for 7 days" in paused.text and "Thu 3 Dec, 08:00" in paused.text
    for day in range(26, 31):
        clock.now = datetime(2026, 11, day, 8, 30, tzinfo=UTC)
        await a_few_sweeps()
    assert len(nudges_in(someone)) == 1, "nothing while paused"

    someone.press("🔕 Stop nudges", on=paused)
    stopped = await someone.reply()
    assert "/nudges" in stopped.text, "the confirmation says how to restart"
    clock.now = datetime(2026, 12, 5, 8, 30, tzinfo=UTC)
    await a_few_sweeps()
    assert len(nudges_in(someone)) == 1
    assert rows(database, "SELECT enabled, off_reason FROM nudges") == [(0, "stopped")]


async def test_a_person_who_blocked_the_bot_is_switched_off_and_not_retried(
    emulator, database, clock, nudging, person, onboard
):
    someone = person(3004, "Dee")
    other = person(3005, "Eli")
    await opt_in_london_morning(someone, onboard)
    await opt_in_london_morning(other, onboard)
    emulator.blocked.add(someone.chat_id)  # blocked, and the my_chat_member update is late
    clock.now = datetime(2026, 11, 25, 8, 1, tzinfo=UTC)
    assert (await other.reply()).text.startswith("🌱 Today's nudge"), "others still get theirs"
    for _ in range(3):
        clock.advance(days=1)
        await a_few_sweeps()
    assert emulator.errors["sendMessage:403"] == 1, "one try, never retried"
    assert rows(database, f"SELECT enabled, off_reason FROM nudges WHERE user_id = {3004}") == [
        (0, "blocked")
    ]
    assert rows(database, f"SELECT outcome FROM nudge_log WHERE user_id = {3004}") == [("blocked",)]

    someone.set_blocked(False)  # unblocking does not silently switch them back on
    await a_few_sweeps()
    someone.send("/nudges")
    status = await someone.reply()
    assert "🔔 Yes, once a day" in status.labels
    assert rows(database, f"SELECT enabled FROM nudges WHERE user_id = {3004}") == [(0,)]


async def test_blocking_the_bot_switches_nudges_off_at_once(
    emulator, database, clock, nudging, person, onboard
):
    someone = person(3006, "Flo")
    await opt_in_london_morning(someone, onboard)
    someone.set_blocked(True)
    await emulator.settle()
    assert rows(database, "SELECT enabled, off_reason FROM nudges") == [(0, "blocked")]
    clock.now = datetime(2026, 11, 25, 8, 1, tzinfo=UTC)
    await a_few_sweeps()
    assert emulator.errors["sendMessage:403"] == 0, "not even tried"


async def test_a_server_error_is_retried_later_the_same_day(
    emulator, database, clock, nudging, person, onboard
):
    someone = person(3007, "Gus")
    await opt_in_london_morning(someone, onboard)
    emulator.faults.append(Fault("500", method="sendMessage", chat_id=someone.chat_id))
    clock.now = datetime(2026, 11, 25, 8, 1, tzinfo=UTC)
    await a_few_sweeps()
    assert emulator.errors["sendMessage:500"] == 1 and nudges_in(someone) == []
    clock.advance(minutes=3)  # past the retry delay
    assert (await someone.reply()).text.startswith("🌱 Today's nudge")
    await a_few_sweeps()
    assert rows(database, "SELECT local_date, outcome FROM nudge_log") == [("2026-11-25", "sent")]


async def test_stopping_mid_broadcast_is_prompt_and_a_restart_finishes_without_duplicates(
    emulator, database
):
    storage = await Storage.open(database)  # a migrated, empty database
    await storage.close()
    utc = zone("UTC")
    assert utc is not None
    due = slot_for(START.date(), time(8, 0), utc)
    count = 300
    bulk_load_people(
        str(database),
        (SeedPerson(u, True, "08:00", "UTC", due) for u in range(1, count + 1)),
        START,
    )
    for user_id in range(1, count + 1):
        emulator.chats[user_id] = {"id": user_id, "type": "private", "first_name": "P"}
    clock = FakeClock(START)
    running = RunningBot(emulator, database, clock=clock, nudge_sweep_seconds=SWEEP, nudge_rate=100)
    await running.start()
    await asyncio.sleep(0.8)
    stopping = asyncio.get_running_loop().time()
    await running.stop()
    assert asyncio.get_running_loop().time() - stopping < 3.0, "a stop does not wait for everyone"
    first_run = sum(len(events) for events in emulator.events.values())
    assert 0 < first_run < count
    assert rows(database, "SELECT count(*) FROM nudge_log WHERE outcome = 'sending'") == [(0,)]

    await running.start()
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while asyncio.get_running_loop().time() < deadline:
            if sum(len(events) for events in emulator.events.values()) >= count:
                break
            await asyncio.sleep(0.1)
        await a_few_sweeps()
    finally:
        await running.stop()
    per_chat = {chat: len(events) for chat, events in emulator.events.items()}
    assert sorted(per_chat) == list(range(1, count + 1)), "nobody missed"
    assert set(per_chat.values()) == {1}, "nobody got two"
