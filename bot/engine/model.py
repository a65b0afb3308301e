"""The engine's plain values: a person's state, what they did, and what the bot does in reply.

No Telegram types here: handlers translate updates into these inputs and replies into API calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

Step = Literal["new", "ask_pronoun", "ask_situation", "clarify", "advised", "plan"]
STEPS: tuple[Step, ...] = ("new", "ask_pronoun", "ask_situation", "clarify", "advised", "plan")


@dataclass(frozen=True)
class UserState:
    """What the bot remembers about one person between messages."""

    step: Step = "new"
    pronoun: str | None = None
    consent_at: datetime | None = None
    advice_count: int = 0  # numbers the advice given, so buttons can name the advice they belong to
    data: dict[str, Any] = field(default_factory=dict)  # the step's payload (JSON-serialisable)
    plan: dict[str, str] = field(default_factory=dict)  # the person's safety plan, by section

    def moved(self, step: Step, **data: Any) -> UserState:
        return replace(self, step=step, data=data)

    def moved_to(self, step: str) -> UserState:
        """The same state at ``step`` (a stored string), keeping its data; unknown steps restart."""
        known: Step = next((s for s in STEPS if s == step), "ask_situation")
        return replace(self, step=known)


# ---------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class Command:
    name: str  # without the slash, lowercase
    args: str = ""


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Press:
    """A button press: ``data`` is the callback data, possibly stale or forged."""

    data: str


@dataclass(frozen=True)
class Unsupported:
    kind: str  # sticker, photo, voice, ...


Input = Command | Text | Press | Unsupported


# ---------------------------------------------------------------------------- outputs
@dataclass(frozen=True)
class Button:
    label: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Reply:
    """One message to send (or, with ``edit``, the new content of the message the button was on)."""

    text: str  # Telegram HTML
    buttons: Keyboard = ()
    edit: bool = False
    typing: bool = False  # show "typing…" first: this reply took thought


@dataclass(frozen=True)
class AdviceGiven:
    number: int
    principle: str
    method: Literal["button", "text", "clarify", "angle"]
    situation: str | None = None


@dataclass(frozen=True)
class FeedbackGiven:
    number: int
    helpful: bool


@dataclass(frozen=True)
class SafetyHit:
    """A message showed a crisis or abuse. Only the fact and the category are kept, never text."""

    risk: str


@dataclass(frozen=True)
class SavePlanSection:
    section: str
    text: str


@dataclass(frozen=True)
class ExportData:
    """Send the person everything stored about them."""


@dataclass(frozen=True)
class EraseData:
    """Delete every row about the person; the new state is not saved."""


Effect = AdviceGiven | FeedbackGiven | SafetyHit | SavePlanSection | ExportData | EraseData


@dataclass(frozen=True)
class Turn:
    state: UserState
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    toast: str | None = None  # the small notice on a button press (answerCallbackQuery text)
