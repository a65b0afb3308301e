"""Crash safety: the bot as a separate process, killed with SIGKILL part-way, several times.

Every person's final state must match what their messages imply, every update must be answered,
and no turn may be decided twice. The only repeats allowed are replies that were on the wire at the
instant of a kill (sent, but not yet confirmed in the outbox): they are counted, each must be a
byte-identical resend of the reply before it (never a second decision), and as each chat has at
most one reply on the wire at a time, no chat may see more than one per kill.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.emulator import BotApiEmulator, Person
from bot.engine import Command, Text, UserState
from tests.conftest import make_engine

PEOPLE = 50
MESSAGES = (  # each one gets one piece of advice
    "i keep texting him all day and cant stop",
    "he said he needs space",
    "the spark is gone and everything is boring",
    "im scared hes going to leave me",
    "i do everything and he does nothing, its one sided",
    "i dont know what to do with myself, i feel so lost",
)
PER_PERSON = 20  # /start, the pronoun, then 18 messages: 1,000 updates in all
KILLS = 3
ROOT = Path(__file__).resolve().parent.parent


def script(index: int) -> list[str]:
    texts = [MESSAGES[(index + n) % len(MESSAGES)] for n in range(PER_PERSON - 2)]
    return ["/start", "she", *texts]


def expected_replies(engine: Any, lines: list[str]) -> list[tuple[str, Any]]:
    """What the bot must send for ``lines``, from the pure engine: (HTML text, buttons)."""
    state, sent = UserState(), []
    now = datetime(2026, 11, 25, tzinfo=UTC)
    for line in lines:
        event = Command(line[1:]) if line.startswith("/") else Text(line)
        turn = engine.handle(state, event, now)
        state = turn.state
        for reply in turn.replies:
            buttons = [[[b.label, b.data] for b in row] for row in reply.buttons]
            sent.append((reply.text, buttons))
    return sent


def actual_replies(emulator: BotApiEmulator, chat_id: int) -> list[tuple[str, Any]]:
    out = []
    for event in emulator.events[chat_id]:
        if event.kind != "message":
            continue
        markup = event.payload.get("reply_markup") or {}
        rows = markup.get("inline_keyboard", [])
        buttons = [[[b["text"], b["callback_data"]] for b in row] for row in rows]
        out.append((event.payload["_html"], buttons))
    return out


def bot_environment(emulator: BotApiEmulator, database: Path) -> dict[str, str]:
    return {
        **os.environ,
        "BOT_TOKEN": emulator.token,
        "BOT_API_BASE_URL": emulator.base_url,
        "DATABASE_PATH": str(database),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "FLOOD_LIMIT": "1000",
        "REPLY_RATE": "1000",  # the emulator takes more than Telegram's 30 a second
    }


async def start_bot(emulator: BotApiEmulator, database: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env=bot_environment(emulator, database),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


def messages_sent(emulator: BotApiEmulator) -> int:
    return sum(1 for events in emulator.events.values() for e in events if e.kind == "message")


async def wait_for(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.02)
    return False


def align(expected: list[Any], actual: list[Any]) -> tuple[int, int]:
    """Walk both sequences: (replies matched in order, resends of the reply just before)."""
    i = j = resends = 0
    while j < len(actual):
        if i < len(expected) and actual[j] == expected[i]:
            i, j = i + 1, j + 1
        elif i > 0 and actual[j] == expected[i - 1]:
            resends, j = resends + 1, j + 1
        else:
            raise AssertionError(f"reply {j} is not the next expected one, nor a resend")
    return i, resends


async def test_sigkill_several_times_loses_nothing_and_decides_nothing_twice(
    emulator, database, content
):
    engine = make_engine(content)
    people = [Person(emulator, 5000 + n, f"P{n}") for n in range(PEOPLE)]
    expected = {p.chat_id: expected_replies(engine, script(n)) for n, p in enumerate(people)}
    total = sum(len(replies) for replies in expected.values())
    for step in range(PER_PERSON):  # interleaved, as many people typing at once would be
        for n, someone in enumerate(people):
            someone.send(script(n)[step])

    rng = random.Random(20261125)
    kill_points = sorted(rng.uniform(0.1, 0.85) * total for _ in range(KILLS))
    process = await start_bot(emulator, database)
    try:
        for point in kill_points:
            assert await wait_for(lambda p=point: messages_sent(emulator) >= p, 60)
            process.kill()  # SIGKILL: no clean-up of any kind
            await process.wait()
            process = await start_bot(emulator, database)
        finished = await wait_for(lambda: messages_sent(emulator) >= total, 90)
        await asyncio.sleep(1.0)  # anything still to come would be a duplicate
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
    assert finished, f"{messages_sent(emulator)} of {total} replies arrived"

    resends = 0
    for chat_id, replies in expected.items():
        matched, repeated = align(replies, actual_replies(emulator, chat_id))
        assert matched == len(replies), f"chat {chat_id}: {len(replies) - matched} unanswered"
        # A chat has at most one reply on the wire at a time, so at most one resend per kill.
        assert repeated <= KILLS, f"chat {chat_id}: {repeated} resends in {KILLS} kills"
        resends += repeated
    print(f"\n{KILLS} kills, {total} replies expected, {resends} resent after a kill")

    with sqlite3.connect(database) as db:
        users = db.execute("SELECT step, pronoun, advice_count FROM users").fetchall()
        advice = db.execute("SELECT user_id, COUNT(*) FROM advice GROUP BY user_id").fetchall()
        pending = db.execute("SELECT COUNT(*) FROM outbox").fetchone()
    assert sorted(set(users)) == [("advised", "she", PER_PERSON - 2)] and len(users) == PEOPLE
    assert {count for _, count in advice} == {PER_PERSON - 2}
    assert pending == (0,)


async def test_sigterm_finishes_what_is_in_flight_and_exits_cleanly(emulator, database, content):
    engine = make_engine(content)
    people = [Person(emulator, 6000 + n, f"Q{n}") for n in range(10)]
    lines = ["/start", "he", *MESSAGES]
    expected = expected_replies(engine, lines)
    for line in lines:
        for someone in people:
            someone.send(line)
    process = await start_bot(emulator, database)
    assert await wait_for(lambda: messages_sent(emulator) >= 5, 30)
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()[-2000:]
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM outbox").fetchone() == (0,), "all sent"
    assert not Path(f"{database}-wal").exists() or Path(f"{database}-wal").stat().st_size == 0

    process = await start_bot(emulator, database)  # the rest, after a clean stop: no repeats
    try:
        total = len(expected) * len(people)
        assert await wait_for(lambda: messages_sent(emulator) >= total, 60)
        await asyncio.sleep(0.5)
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
    for someone in people:
        assert actual_replies(emulator, someone.chat_id) == expected
