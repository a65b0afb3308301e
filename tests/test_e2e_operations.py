"""Start-up and logging, through the real Application: what an operator sees."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import subprocess
import sys

from bot.emulator import Fault
from bot.storage.repository import SCHEMA_VERSION
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


async def test_stats_for_admins_only(emulator, database, person, onboard):
    running = RunningBot(emulator, database, admin_ids=[9001])
    await running.start()
    try:
        admin, someone = person(9001, "Ops"), person(9002, "Kit")
        await onboard(someone, "He")
        someone.send("i keep texting him all day and cant stop")
        advice = await someone.reply()
        someone.press("Why this helps", on=advice)
        someone.press("👍 That helps", on=await someone.reply())
        await someone.replies(2)

        someone.send("/stats")
        refused = await someone.reply()
        someone.send("/xyzzy")
        assert refused.text == (await someone.reply()).text, "same as any unknown command"

        admin.send("/stats")
        stats = await admin.reply()
        assert "People: 1" in stats.text and "Active this week: 1" in stats.text
        assert "codependency: 1" in stats.text and "trust: 0" in stats.text
        assert "Feedback on 100% of advice; 100% of it “that helps”" in stats.text
    finally:
        await running.stop()


def bot_cli(emulator, database, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "BOT_TOKEN": emulator.token,
        "DATABASE_PATH": str(database),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_healthcheck_follows_the_bots_progress(emulator, database, tmp_path):
    missing = bot_cli(emulator, tmp_path / "nothing.sqlite3", "healthcheck")
    assert missing.returncode == 1 and "no database" in missing.stderr
    running = RunningBot(emulator, database)
    await running.start()
    try:
        alive = await asyncio.to_thread(bot_cli, emulator, database, "healthcheck")
        assert alive.returncode == 0 and alive.stdout.startswith("ok"), alive.stderr
    finally:
        await running.stop()
    await asyncio.sleep(1.2)
    stale = bot_cli(emulator, database, "healthcheck", HEALTH_MAX_IDLE="1")
    assert stale.returncode == 1 and "no progress" in stale.stderr


async def test_backup_while_the_bot_runs_is_a_consistent_copy(
    emulator, database, person, onboard, tmp_path
):
    running = RunningBot(emulator, database)
    await running.start()
    try:
        people = [person(9100 + n, f"B{n}") for n in range(10)]
        for someone in people:
            await onboard(someone, "She")
        for someone in people:  # keep the bot writing while the copy is taken
            someone.send("he said he needs space")
        target = tmp_path / "copy.sqlite3"
        result = await asyncio.to_thread(bot_cli, emulator, database, "backup", str(target))
        assert result.returncode == 0, result.stderr
        assert "backed up" in result.stdout
        for someone in people:
            await someone.reply()
    finally:
        await running.stop()
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        (people_copied,) = copy.execute("SELECT COUNT(*) FROM users").fetchone()
    assert people_copied == 10
    assert not target.with_name("copy.sqlite3.partial").exists()
    refused = bot_cli(emulator, database, "backup", str(database))
    assert refused.returncode == 2
