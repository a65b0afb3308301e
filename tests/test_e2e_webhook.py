"""Webhook mode: the real ``python -m bot run`` with MODE=webhook and a secret token."""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
import sys

import aiohttp

from bot.emulator import Person
from tests.test_e2e_crash import bot_environment, wait_for

SECRET = "s3cret-token_for-tests"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def post(url: str, body: dict, secret: str | None) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url, json=body, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
        ) as response,
    ):
        return response.status


async def test_webhook_processes_updates_with_the_secret_and_rejects_others(emulator, database):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    env = {
        **bot_environment(emulator, database),
        "MODE": "webhook",
        "WEBHOOK_URL": url,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        assert await wait_for(lambda: emulator.webhook is not None, 30), "setWebhook was called"
        assert emulator.webhook == {"url": url, "secret_token": SECRET}
        trusted, stranger = Person(emulator, 7001, "Wen"), Person(emulator, 7002, "Eve")

        # Updates shaped by the emulator, posted straight to the bot as Telegram would post them.
        good, forged = trusted.send("/start"), stranger.send("/start")
        emulator.clear_updates()
        assert await _post_when_listening(url, good, SECRET) == 200
        welcome = await trusted.reply()
        assert "not a therapist" in welcome.text

        assert await post(url, forged, "wrong-secret") == 403
        assert await post(url, forged, None) == 403
        await asyncio.sleep(0.5)
        assert emulator.events[stranger.chat_id] == [], "nothing processed"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()[-2000:]
    with sqlite3.connect(database) as db:
        users = db.execute("SELECT user_id FROM users").fetchall()
    assert users == [(7001,)]


async def _post_when_listening(url: str, body: dict, secret: str) -> int:
    for _ in range(100):  # the server starts a moment after setWebhook
        try:
            return await post(url, body, secret)
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.1)
    raise AssertionError("the webhook server never listened")
