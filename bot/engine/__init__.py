"""The functional core: the conversation as plain values in, plain values out.

``(state, input, now) -> (new state, replies, effects)``: no I/O, no clock reads, no Telegram
types. Owns the conversation (``conversation``, ``views``), the safety and nudge flows, and the
pure rules of time (``schedule``). May import ``bot.content`` and ``bot.understanding``.
"""

from bot.engine.conversation import COMMANDS, Engine
from bot.engine.model import (
    AdviceGiven,
    Button,
    Command,
    EraseData,
    ExportData,
    FeedbackGiven,
    Input,
    Press,
    Reply,
    Text,
    Turn,
    Unsupported,
    UserState,
)
from bot.engine.views import BUTTON_KINDS

__all__ = [
    "BUTTON_KINDS",
    "COMMANDS",
    "AdviceGiven",
    "Button",
    "Command",
    "Engine",
    "EraseData",
    "ExportData",
    "FeedbackGiven",
    "Input",
    "Press",
    "Reply",
    "Text",
    "Turn",
    "Unsupported",
    "UserState",
]
