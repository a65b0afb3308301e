"""Hostile and odd input through the real Application: kind answers or deliberate silence, always.

A corpus of over 200 updates: odd texts, media, junk deep links, forged and stale callback data,
edits, channel and group posts, blocking and unblocking. Nothing may reach the error handler, the
bot may make no call Telegram would refuse, and the database must stay consistent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from bot.emulator import BotApiEmulator, Person
from bot.engine.model import STEPS
from tests.conftest import RunningBot

ANSWER, SILENCE = "answer", "silence"

ODD_TEXTS = [
    "a" * 4096,
    "word" * 1000,
    "\u200b\u200b\u200b",
    "he\u200bllo\u200d",
    "\u202eolleh",
    "مرحبا، هو لا يرد على رسائلي",
    "😭😭😭",
    "🙂",
    "\u3000",
    "Z̷̛͓a̸l̵g̶o̴ text",
    "<b>bold</b> <script>alert(1)</script>",
    "&amp; &lt; &#0; &#xFFFFFF;",
    "'); DROP TABLE users;--",
    "{they} {0} {__class__} %s %(x)s",
    "\x00\x01\x02",
    "1",
    "/",
    "//",
    "he went quiet" + "!" * 500,
    "HE WENT QUIET AND I KEEP TEXTING HIM",
    "i want to kill myself",
    "he hit me",
]
JUNK_COMMANDS = [
    "/start ../../etc/passwd",
    "/start " + "x" * 64,
    "/start %00%ff",
    "/start 😀",
    "/start@other_bot",
    "/help@breathing_room_test_bot",
    "/START",
    "/foo",
    "/principles extra words",
    "/settings 1 2 3",
]
FORGED_DATA = [
    "",
    "x",
    "y" * 64,
    "say:999999",
    "ang:-1",
    "fb:y:abc",
    "fb:maybe:1",
    "pp:nope",
    "gr:999",
    "gr:-1",
    "sp:skip",
    "st:pr:it",
    "pr:xe",
    "sit:",
    "pick:communication",
    "restart:now",
    "own:1",
    "sos:extra",
]
MEDIA = ["sticker", "photo", "voice", "location", "contact"]


async def first_answer(emulator: BotApiEmulator, chat_id: int, index: int) -> None:
    """Wait for the first event after ``index`` in the chat that is not a typing indicator."""
    for at in range(index, index + 10):
        if (await emulator.wait_event(chat_id, at, timeout=10)).kind != "action":
            return


def corpus(
    someone: Person, group: Person, emulator: BotApiEmulator
) -> list[tuple[str, Callable[[], Any]]]:
    actions: list[tuple[str, Callable[[], Any]]] = []
    for text in ODD_TEXTS:
        actions.append((ANSWER, lambda t=text: someone.send(t)))
    for command in JUNK_COMMANDS:
        actions.append((ANSWER, lambda c=command: someone.send(c)))
    for data in FORGED_DATA:
        actions.append((ANSWER, lambda d=data: someone.press_data(d, 1)))
    actions.append((ANSWER, lambda: someone.press_data("restart", 999_999)))  # no such message
    for kind in MEDIA:
        actions.append((ANSWER, lambda k=kind: someone.send_content(k)))
    actions.append((ANSWER, lambda: someone.send_raw()))  # a message with nothing in it
    actions.append((ANSWER, lambda: someone.send_raw(dice={"emoji": "🎲", "value": 3})))
    document = {"file_id": "doc1", "file_unique_id": "doc1", "file_name": "notes.pdf"}
    actions.append((ANSWER, lambda: someone.send_raw(document=document)))
    photo = [{"file_id": "p1", "file_unique_id": "p1", "width": 9, "height": 9}]
    actions.append((ANSWER, lambda: someone.send_raw(photo=photo, caption="i want to die")))
    actions.append((ANSWER, lambda: someone.send_raw(text="   ")))
    actions.append((ANSWER, lambda: someone.send("/start " + "q" * 200)))
    actions.append((ANSWER, lambda: someone.send("ok")))
    actions.append((ANSWER, lambda: someone.send("/cancel")))
    original: dict[str, Any] = {}
    actions.append((ANSWER, lambda: original.update(someone.send("hello there"))))
    actions.append((SILENCE, lambda: someone.edit(original, "hello")))
    actions.append((ANSWER, lambda: someone.edit(original, "he threatened to hurt me")))
    actions.append((SILENCE, lambda: group.channel_post("news for the channel")))
    actions.append((SILENCE, lambda: group.send("/start in a group again")))
    actions.append((SILENCE, lambda: someone.set_blocked(True)))
    actions.append((SILENCE, lambda: someone.set_blocked(False)))
    return actions


async def test_a_corpus_of_hostile_updates(emulator, database, person, onboard, caplog):
    running = RunningBot(emulator, database)
    await running.start()
    group = person(4100, "Grp", chat={"id": -4100, "type": "group", "title": "Odd group"})
    group.send("first message in the group")  # the one notice; the rest of the corpus is silence
    await group.reply()
    people = [person(4001, "New"), person(4002, "Mid"), person(4003, "Deep")]
    await onboard(people[1], "She")
    await onboard(people[2], "He")
    people[2].press("He went quiet and distant")
    await people[2].reply()

    sent = 0
    try:
        with caplog.at_level(logging.INFO):
            for someone in people:
                for expectation, act in corpus(someone, group, emulator):
                    chats = (someone.chat_id, group.chat_id)
                    before = [len(emulator.events[chat]) for chat in chats]
                    act()
                    sent += 1
                    if expectation == ANSWER:  # the first real answer, then any follow-ups
                        await first_answer(emulator, someone.chat_id, before[0])
                    await emulator.settle(quiet=0.05, timeout=10)
                    new = [
                        e
                        for chat, n in zip(chats, before, strict=True)
                        for e in emulator.events[chat][n:]
                    ]
                    if expectation == ANSWER:
                        assert new, f"no answer for update {sent}"
                    else:
                        assert not [e for e in new if e.kind != "action"], (
                            f"update {sent} not silent"
                        )
                someone.unread()
        assert sent >= 200
        assert running.deps.failures == 0, "nothing reaches the error handler"
        assert emulator.errors == {}, "no call that Telegram would refuse"
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        await running.stop()

    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        for step, data in connection.execute("SELECT step, data FROM users"):
            assert step in STEPS and isinstance(json.loads(data), dict)
        assert connection.execute("SELECT category FROM safety_events").fetchall()


async def test_a_flood_gets_one_slow_down_and_others_are_not_slowed(emulator, database, person):
    running = RunningBot(emulator, database, flood_limit=20, flood_window=10.0)
    await running.start()
    try:
        flooder, calm = person(4201, "Fast"), person(4202, "Calm")
        for number in range(50):
            flooder.send(f"message number {number}")
            if number == 25:
                asked_at = time.monotonic()
                calm.send("/help")
        reply = await calm.reply()
        calm_latency = time.monotonic() - asked_at
        await emulator.settle(quiet=0.3)
        texts = [e.payload.get("text", "") for e in flooder.unread() if e.kind == "message"]
        assert sum("a lot of messages at once" in text for text in texts) == 1
        assert len(texts) <= 2 * 20 + 1, "past the limit, the rest is silence"
        assert "/principles" in reply.text
        assert calm_latency < 1.0, f"another person waited {calm_latency:.2f}s"

        await asyncio.sleep(0)  # a message that shows danger always goes through the gate
        flooder.send("i want to die")
        help_ = await flooder.reply()
        assert "glad you told me" in help_.text
    finally:
        await running.stop()


async def test_the_error_handler_is_kind_and_logs_without_text(
    emulator, database, person, onboard, json_logs
):
    running = RunningBot(emulator, database)
    await running.start()
    try:
        deps = running.deps
        original = deps.engine.handle

        def broken(state, event, now):
            if getattr(event, "text", "") == "break-zx91":
                raise RuntimeError("engine exploded")
            return original(state, event, now)

        deps.engine.handle = broken
        kim = person(4301, "Kim")
        await onboard(kim, "He")
        kim.send("break-zx91")
        sorry = await kim.reply()
        assert "something went wrong" in sorry.text and "Traceback" not in sorry.text
        assert deps.failures == 1
        lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
        failure = [line for line in lines if line["event"] == "update_failed"]
        assert failure and failure[0]["error"] == "RuntimeError"
        assert failure[0]["user"].startswith("u_") and failure[0]["level"] == "error"
        assert "break-zx91" not in json_logs.getvalue()
        kim.send("/help")
        assert "/principles" in (await kim.reply()).text, "the bot carries on"
    finally:
        await running.stop()
