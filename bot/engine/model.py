"""The engine's plain values: a person's state, what they did, and what the bot does in reply.

No Telegram types here: handlers translate updates into these inputs and replies into API calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

Step = Literal[
    "new", "ask_pronoun", "ask_situation", "clarify", "advised", "plan", "nudge_time", "nudge_zone",
    "check",
]  # fmt: skip
STEPS: tuple[Step, ...] = Step.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NudgePrefs:
    """A person's daily-nudge settings and the next slot (see :mod:`bot.engine.schedule`)."""

    enabled: bool = False
    at: str | None = None  # local time of day, HH:MM
    zone: str | None = None  # IANA time zone
    paused_until: datetime | None = None
    next_due: datetime | None = None  # UTC; the sweep sends from here ...
    day_end: datetime | None = None  # ... until the person's local midnight
    due_date: date | None = None  # the local date of that slot
    sent_through: date | None = None  # the local date of the last nudge sent (the sweep's field)
    first: int = 0  # which principle the rotation starts from
    offered: bool = False  # offered after helpful advice, so we do not ask again
    off_reason: str | None = None  # "stopped" by the person, or "blocked" when undeliverable
    sent: int = 0  # nudges sent so far (the sweep counts them; the engine only reads it)


@dataclass(frozen=True)
class UserState:
    """What the bot remembers about one person between messages."""

    step: Step = "new"
    pronoun: str | None = None
    consent_at: datetime | None = None
    advice_count: int = 0  # numbers the advice given, so buttons can name the advice they belong to
    data: dict[str, Any] = field(default_factory=dict)  # the step's payload (JSON-serialisable)
    # What the conversation remembers across steps (JSON-serialisable; never the person's words):
    # the last card shown, how often each principle was shown, whether abuse was disclosed.
    memory: dict[str, Any] = field(default_factory=dict)
    plan: dict[str, str] = field(default_factory=dict)  # the person's safety plan, by section
    nudges: NudgePrefs | None = None

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
    """A message showed a crisis or abuse, or a signal the bot asked about ("check").

    Only the fact and the category are kept, never the text.
    """

    risk: str


@dataclass(frozen=True)
class SavePlanSection:
    section: str
    text: str


@dataclass(frozen=True)
class SaveNudges:
    """Store the person's new nudge settings (only the fields the person controls)."""

    prefs: NudgePrefs


@dataclass(frozen=True)
class ExportData:
    """Send the person everything stored about them."""


@dataclass(frozen=True)
class EraseData:
    """Delete every row about the person; the new state is not saved."""


Effect = (
    AdviceGiven | FeedbackGiven | SafetyHit | SavePlanSection | SaveNudges | ExportData | EraseData
)


@dataclass(frozen=True)
class Turn:
    state: UserState
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    toast: str | None = None  # the small notice on a button press (answerCallbackQuery text)
