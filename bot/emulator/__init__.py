"""A Bot API emulator on 127.0.0.1 for `python -m bot chat` and the end-to-end tests."""

from bot.emulator.people import Person, Shown
from bot.emulator.server import ApiError, BotApiEmulator, Fault

__all__ = ["ApiError", "BotApiEmulator", "Fault", "Person", "Shown"]
