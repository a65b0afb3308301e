"""A Bot API emulator on 127.0.0.1 for `python -m bot chat` and the end-to-end tests.

Answers in the Bot API's JSON shapes, refuses what Telegram refuses, injects faults on demand.
May import ``bot.content`` only (Telegram's HTML rules), so it never shares the bot's code paths.
"""

from bot.emulator.people import Person, Shown
from bot.emulator.server import ApiError, BotApiEmulator, Fault

__all__ = ["ApiError", "BotApiEmulator", "Fault", "Person", "Shown"]
