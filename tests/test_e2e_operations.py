"""Start-up and logging, through the real Application: what an operator sees."""

from __future__ import annotations

import json
import logging

from bot.emulator import Fault
from tests.conftest import RunningBot


async def test_a_refused_command_menu_is_a_warning_not_a_failure(
    emulator, database, person, caplog
):
    emulator.faults.append(Fault("500", method="setMyCommands"))
    running = RunningBot(emulator, database)
    with caplog.at_level(logging.WARNING):
        await running.start()
    try:
        someone = person(2001, "Ola")
        someone.send("/start")
        assert "not a therapist" in (await someone.reply()).text
        assert emulator.commands == []
    finally:
        await running.stop()


async def test_logs_hold_no_message_text_no_token_and_no_raw_user_id(
    emulator, database, person, json_logs
):
    running = RunningBot(emulator, database)
    await running.start()
    try:
        secret_words = "zanzibar-marmalade-7731 he keeps texting and i cant stop"
        someone = person(987654321, "Quill")
        someone.send("/start")
        await someone.replies(2)
        someone.press("She")
        await someone.replies(2)
        someone.send(secret_words)
        await someone.reply()
        someone.send("/nonsense-zanzibar")
        await someone.reply()
    finally:
        await running.stop()
    output = json_logs.getvalue()
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(line.get("event") == "turn" for line in lines), "turns are logged"
    assert "zanzibar" not in output
    assert emulator.token not in output and emulator.token.split(":")[1] not in output
    assert "987654321" not in output
    assert "command:unknown" in output
    assert any(str(line.get("user", "")).startswith("u_") for line in lines)
