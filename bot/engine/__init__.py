"""The functional core: the conversation as plain values in, plain values out."""

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
