"""Faults from Telegram: 429, 500, answers slower than the timeout, 403 for a blocked person.

Under each, everyone else is served as usual, what may pass is retried, nothing crashes, and the
logs say what happened (never a text).
"""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.emulator import BotApiEmulator, Fault, Person
from tests.conftest import RunningBot
from tests.test_e2e_crash import wait_for

WELCOME = "not a therapist"


def faulty_bot(emulator: BotApiEmulator, database) -> RunningBot:
    return RunningBot(emulator, database, http_read_timeout=0.5, outbox_retry_seconds=0.3)


def messages(someone: Person) -> list[str]:
    return [
        e.payload["text"] for e in someone.emulator.events[someone.chat_id] if e.kind == "message"
    ]


async def others_are_served(others: list[Person]) -> None:
    for someone in others:
        welcome, question = await someone.replies(2, timeout=5)
        assert WELCOME in welcome.text and question.labels == ["He", "She", "They"]


@pytest.mark.parametrize(
    ("fault", "logged"),
    [
        (Fault("429", method="sendMessage", remaining=2, retry_after=1), "RetryAfter"),
        (Fault("500", method="sendMessage", remaining=1), "NetworkError"),
        (Fault("slow", method="sendMessage", remaining=1, delay=1.0), "TimedOut"),
    ],
    ids=["429", "500", "slow"],
)
async def test_a_passing_fault_is_retried_and_nobody_else_waits(
    emulator, database, person, json_logs, fault, logged
):
    running = faulty_bot(emulator, database)
    await running.start()
    try:
        victim = person(8001, "Vic")
        fault.chat_id = victim.chat_id
        emulator.faults.append(fault)
        victim.send("/start")
        others = [person(8002 + n, f"O{n}") for n in range(3)]
        for someone in others:
            someone.send("/start")
        await others_are_served(others)

        assert await wait_for(lambda: len(messages(victim)) >= 2, 10)
        await emulator.settle()
        sent = messages(victim)
        assert WELCOME in sent[0] and "which fits best" in sent[-1]
        # A send that timed out may have reached Telegram: then it shows once more, never more.
        assert len(sent) <= (3 if fault.kind == "slow" else 2)
        assert running.deps.failures == 0, "no update failed"
    finally:
        await running.stop()
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines() if line.startswith("{")]
    retries = [line for line in lines if line.get("event") == "outbox_retry_later"]
    assert retries and all(line["error"] == logged for line in retries)
    assert WELCOME not in json_logs.getvalue(), "no texts in logs"


async def test_a_blocked_person_is_not_retried_and_others_are_served(
    emulator, database, person, json_logs
):
    running = faulty_bot(emulator, database)
    await running.start()
    try:
        victim = person(8101, "Bo")
        emulator.blocked.add(victim.chat_id)
        victim.send("/start")
        others = [person(8102 + n, f"P{n}") for n in range(3)]
        for someone in others:
            someone.send("/start")
        await others_are_served(others)
        await emulator.settle()
        await asyncio.sleep(1.0)  # several retry rounds: none of them tries again
        assert emulator.errors["sendMessage:403"] == 2, "each reply tried once, then dropped"
        assert running.deps.failures == 0
    finally:
        await running.stop()
    assert '"outbox_refused"' in json_logs.getvalue() and "Forbidden" in json_logs.getvalue()


async def test_a_reply_slow_on_the_wire_does_not_hold_up_the_next_update(
    emulator, database, person
):
    running = RunningBot(emulator, database, http_read_timeout=5.0)
    await running.start()
    try:
        victim = person(8201, "Sol")
        emulator.faults.append(Fault("slow", method="sendMessage", chat_id=victim.chat_id, delay=2))
        first = victim.send("/start")["update_id"]
        assert await wait_for(lambda: first in emulator.delivered_at, 5)
        other = person(8202, "Ola")
        other.send("/start")
        await others_are_served([other])  # fetched and answered while the slow reply is out
        assert not messages(victim), "the slow reply is still on the wire"
        welcome, _ = await victim.replies(2, timeout=5)
        assert WELCOME in welcome.text
    finally:
        await running.stop()
