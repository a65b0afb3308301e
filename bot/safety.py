"""The safety screen: free text -> ``none``, ``crisis`` or ``abuse``. Pure, fast, and first.

Every free-text message is screened before any advice. The patterns live in
``content/safety_patterns.toml`` as regular expressions over normalised text (lowercase, no accents,
apostrophes or punctuation, invisible characters removed: "He'll" -> "hell"). Matching runs in
three passes:

1. ``ignore`` patterns cut out what must not count: everyday hyperbole ("this silence is killing
   me", "beat me at mario kart") and negations ("he has never hit me", "i'm not suicidal").
2. ``crisis`` patterns (suicidal thoughts, self-harm, wanting to disappear or not wake up).
3. ``abuse`` patterns (violence, threats, sexual coercion, control of money, phone, location or
   friends, fear of the partner).

Crisis wins when both match: a life at risk comes first, and both replies carry every helpline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.content_safety import SafetyPatterns
from bot.understanding import normalise

Risk = Literal["none", "crisis", "abuse"]
RISKS: tuple[Risk, ...] = ("none", "crisis", "abuse")


@dataclass(frozen=True)
class Screening:
    risk: Risk

    @property
    def hit(self) -> bool:
        return self.risk != "none"


class SafetyScreen:
    """Compiled once at start-up from validated content; :meth:`screen` is pure."""

    def __init__(self, patterns: SafetyPatterns) -> None:
        self._ignore = _compile(patterns.ignore)
        self._crisis = _compile(patterns.crisis)
        self._abuse = _compile(patterns.abuse)

    def screen(self, text: str) -> Screening:
        normalised = " ".join(normalise(text))
        cleaned = self._ignore.sub(" ", normalised)
        if self._crisis.search(cleaned):
            return Screening("crisis")
        if self._abuse.search(cleaned):
            return Screening("abuse")
        return Screening("none")


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:\\b{pattern}\\b)" for pattern in patterns))
