"""``python -m bot chat``: talk to the real bot in a terminal, with no token and no network.

The real Application runs against the Bot API emulator on 127.0.0.1 in this process. The bot's
messages are printed with their buttons numbered; type a number to press that button, anything
else is sent as a message. ``/quit`` or end of input leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from bot.app import build_application, start_polling, stop_polling
from bot.emulator import BotApiEmulator, Person
from bot.emulator.people import Shown, shown
from bot.settings import Settings
from bot.shell.logs import configure_logging

_SETTLE_TIMEOUT = 15.0
_MAX_LINES = 10_000  # a bound on one session's input


def render_message(message: Shown, first_number: int, edited: bool) -> tuple[str, list[str]]:
    """Format one bot message for the terminal; return the text and the data of its buttons."""
    body = message.text
    for copy in message.copyable:
        body = body.replace(copy, f"«{copy}»", 1)
    lines = ["", "─" * 60]
    lines.append("(edited) " + body if edited else body)
    if message.document is not None:
        size = message.document.get("file_size", 0)
        lines.append(f"📎 {message.document.get('file_name')} ({size} bytes)")
    data: list[str] = []
    for row in message.buttons:
        cells = []
        for button in row:
            data.append(button.data or "")
            cells.append(f"[{first_number + len(data) - 1}] {button.text}")
        lines.append("   ".join(cells))
    return "\n".join(lines), data


async def chat(stdin: TextIO, stdout: TextIO, database: Path | None = None) -> None:
    """Run one terminal conversation until ``/quit`` or end of input."""
    emulator = BotApiEmulator()
    await emulator.start()
    with tempfile.TemporaryDirectory(prefix="breathing-room-chat-") as scratch:
        settings = Settings(
            bot_token=emulator.token,  # type: ignore[arg-type]
            bot_api_base_url=emulator.base_url,
            database_path=database or Path(scratch) / "chat.sqlite3",
            log_format="console",
            log_level="WARNING",
            log_salt=None,
        )
        application = build_application(settings)
        await start_polling(application)
        person = Person(emulator, 4242, "You")
        buttons: list[tuple[int, str]] = []  # (message_id, callback data) by number - 1
        print(
            "Breathing Room (local chat). Type a message; a number presses that button; "
            "/quit leaves. Try /start.",
            file=stdout,
            flush=True,
        )
        try:
            loop = asyncio.get_running_loop()
            for _ in range(_MAX_LINES):
                stdout.write("\nyou> ")
                stdout.flush()
                line = await loop.run_in_executor(None, stdin.readline)
                if not line or line.strip() == "/quit":
                    break
                text = line.strip()
                if not text:
                    continue
                if text.isdigit() and 1 <= int(text) <= len(buttons):
                    message_id, data = buttons[int(text) - 1]
                    person.press_data(data, message_id)
                else:
                    person.send(text)
                await emulator.settle(quiet=0.3, timeout=_SETTLE_TIMEOUT)
                fresh: list[tuple[int, str]] = []
                for event in person.unread():
                    if event.kind == "answer" and event.payload.get("text"):
                        print(f"  (notice: {event.payload['text']})", file=stdout)
                    if event.kind not in {"message", "edit"}:
                        continue
                    message = shown(event)
                    output, pressable = render_message(
                        message, len(fresh) + 1, event.kind == "edit"
                    )
                    fresh.extend((message.message_id, d) for d in pressable)
                    print(output, file=stdout)
                if fresh:
                    buttons = fresh
                stdout.flush()
        finally:
            await stop_polling(application)
            await emulator.stop()


def main(database: Path | None = None) -> None:
    configure_logging("WARNING", "console")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(chat(sys.stdin, sys.stdout, database))
