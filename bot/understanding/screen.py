"""The safety screen: free text -> ``none``, ``check``, ``crisis`` or ``abuse``. Pure, and first.

Every free-text message is screened before any advice, in layers:

1. **Patterns** (``content/safety_patterns.toml``), regular expressions over normalised text
   (lowercase, no accents, apostrophes or punctuation, invisible characters removed). ``ignore``
   patterns first cut out everyday hyperbole ("this silence is killing me") and negations ("he
   has never hit me"); then a ``crisis`` or ``abuse`` pattern is a hit (only asked about, never
   let through, when the model below is nearly sure the message is ordinary: a film, an idiom),
   and an ``urgent`` one (pills taken, on the bridge) marks an act under way, always.
2. **A learned risk model** (``content/models/risk.model``, see :mod:`bot.understanding.linear`),
   trained on messages from many writers, catches what no pattern lists: means and acts named
   without the usual words, goodbyes, coercive control in its many forms. Above ``alarm_at`` it
   is a hit; between ``check_at`` and ``alarm_at`` it is a real but uncertain signal, and the bot
   asks directly and kindly before any advice (``check``). Both thresholds were chosen by
   leave-one-writer-out cross-validation when the model was trained.

Crisis wins over abuse when both show: a life at risk comes first, and both replies carry every
helpline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from re import _constants as _re_constants  # type: ignore[attr-defined]
from re import _parser as _re_parser  # type: ignore[attr-defined]
from typing import Any, Literal

from bot.content.safety import SafetyPatterns
from bot.understanding.features import normalise
from bot.understanding.linear import LinearModel

Risk = Literal["none", "check", "crisis", "abuse"]
RISKS: tuple[Risk, ...] = ("none", "check", "crisis", "abuse")
Danger = Literal["crisis", "abuse"]
CUT = "zzcut"  # stands where an ignore pattern cut something out
# One word is too little for the model: TF-IDF rows are scaled to length one, so a lone "he"
# weighs as much as a whole message and read as abuse. The patterns still see single words
# ("suicidal", "kms"), and a pronoun typed as an answer stays an answer.
_MODEL_MIN_WORDS = 2
# How sure the model must be that a pattern hit is ordinary for the bot to ask instead of giving
# the full reply. Set once, not tuned: only near-certainty overrides a pattern, and only to ask.
PATTERN_DOUBT = 0.95


@dataclass(frozen=True)
class Screening:
    risk: Risk
    urgent: bool = False  # an act under way (crisis only): the emergency number comes first
    leaning: Danger | None = None  # for "check": which danger the signal is closer to
    score: float = 0.0  # the risk model's probability that the message shows danger

    @property
    def hit(self) -> bool:
        """A certain crisis or abuse: the full safety reply, never advice."""
        return self.risk in ("crisis", "abuse")

    @property
    def check(self) -> bool:
        """A real but uncertain signal: ask before any advice."""
        return self.risk == "check"

    @property
    def signal(self) -> bool:
        """Any sign of danger, certain or not: never dropped by a flood gate, answered on edit."""
        return self.risk != "none"


class SafetyScreen:
    """Compiled once at start-up from validated content; :meth:`screen` is pure."""

    def __init__(self, patterns: SafetyPatterns, model: LinearModel | None = None) -> None:
        self._ignore = _compile(patterns.ignore)
        self._crisis = _compile(patterns.crisis)
        self._abuse = _compile(patterns.abuse)
        self._urgent = _compile(patterns.urgent)
        self.model = model
        header = model.header if model is not None else {}
        self.check_at = float(header.get("check_at", 1.0))
        self.alarm_at = float(header.get("alarm_at", 1.0))

    def clean(self, text: str) -> str:
        """Normalised text with hyperbole and negations cut out: what both layers read.

        Each cut leaves a marker word, so the model (trained on text cleaned the same way, in
        tools/train_models.py) learns what a cut means instead of reading a stray fragment: "he
        has never hit me" reaches it as "he has zzcut", never as "hit me". A text that is only
        cuts is empty.
        """
        cleaned = self._ignore.sub(f" {CUT} ", " ".join(normalise(text))).split()
        return " ".join(cleaned) if any(word != CUT for word in cleaned) else ""

    def screen(self, text: str, use_model: bool = True) -> Screening:
        """The verdict on ``text``; ``use_model=False`` asks the patterns alone (evaluation)."""
        cleaned = self.clean(text)
        urgent = self._urgent.search(cleaned) is not None
        if urgent:
            return Screening("crisis", urgent=True, score=1.0)
        matched: Danger | None = (
            "crisis"
            if self._crisis.search(cleaned)
            else "abuse"
            if self._abuse.search(cleaned)
            else None
        )
        if self.model is None or not use_model or len(cleaned.split()) < _MODEL_MIN_WORDS:
            return Screening(matched, score=1.0) if matched else Screening("none")
        p = self.model.probabilities(cleaned)
        if matched is not None:
            # A pattern's words in a film, a game or an idiom ("she'll kill me if I'm late"): when
            # the model, which has read such messages, is nearly sure it is ordinary, the person
            # is asked rather than given the full reply. A pattern hit is never let through.
            if p.get("none", 0.0) >= PATTERN_DOUBT:
                return Screening("check", leaning=matched, score=round(1 - p["none"], 3))
            return Screening(matched, score=1.0)
        crisis = p.get("crisis", 0.0) + p.get("crisis_now", 0.0)
        abuse = p.get("abuse", 0.0)
        danger = crisis + abuse
        leaning: Danger = "crisis" if crisis >= abuse else "abuse"
        if danger >= self.alarm_at:
            now = leaning == "crisis" and p.get("crisis_now", 0.0) > p.get("crisis", 0.0)
            return Screening(leaning, urgent=now, score=round(danger, 3))
        if danger >= self.check_at:
            return Screening("check", leaning=leaning, score=round(danger, 3))
        return Screening("none", score=round(danger, 3))


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation; each pattern guarded by a look-ahead at the characters it can start with.

    The regex engine tries every alternative at every word start, and most patterns open with a
    long list of words ("(hit|hits|hitting|slap|...) me"). The guard is one character-set test,
    so a pattern that cannot start here is skipped at once: the screen runs about twice as fast,
    and matches exactly the same texts (the guard only states what the pattern already requires).
    """
    return re.compile("|".join(f"(?:\\b{_guard(pattern)}{pattern}\\b)" for pattern in patterns))


def _guard(pattern: str) -> str:
    chars = first_chars(pattern)
    if chars is None:
        return ""
    return "(?=[" + "".join(re.escape(c) for c in sorted(chars)) + "])"


class _Unknown(Exception):
    """A construct whose first characters are not worked out here (the pattern gets no guard)."""


def first_chars(pattern: str) -> frozenset[str] | None:
    """Every character a match of ``pattern`` can start with; None when that is not known.

    None for anything open-ended (``\\w``, ``.``, negated sets, flags) and for patterns that can
    match the empty string. Built on the parser of Python's own ``re`` module.
    """
    try:
        chars, can_be_empty = _first_of_sequence(_re_parser.parse(pattern))
    except _Unknown:
        return None
    return None if can_be_empty or not chars else frozenset(chars)


def _first_of_sequence(items: Iterable[tuple[Any, Any]]) -> tuple[set[str], bool]:
    found: set[str] = set()
    for op, argument in items:
        chars, can_be_empty = _first_of_item(op, argument)
        found |= chars
        if not can_be_empty:
            return found, False
    return found, True


def _first_of_item(op: Any, argument: Any) -> tuple[set[str], bool]:
    if op is _re_constants.LITERAL:
        return {chr(argument)}, False
    if op is _re_constants.IN:
        chars: set[str] = set()
        for kind, value in argument:
            if kind is _re_constants.LITERAL:
                chars.add(chr(value))
            elif kind is _re_constants.RANGE:
                chars.update(chr(code) for code in range(value[0], value[1] + 1))
            else:
                raise _Unknown
        return chars, False
    if op is _re_constants.BRANCH:
        chars, can_be_empty = set(), False
        for branch in argument[1]:
            branch_chars, branch_empty = _first_of_sequence(branch)
            chars |= branch_chars
            can_be_empty = can_be_empty or branch_empty
        return chars, can_be_empty
    if op is _re_constants.SUBPATTERN:
        _group, add_flags, del_flags, sub = argument
        if add_flags or del_flags:
            raise _Unknown
        return _first_of_sequence(sub)
    if op in (_re_constants.MAX_REPEAT, _re_constants.MIN_REPEAT):
        minimum, _maximum, sub = argument
        chars, can_be_empty = _first_of_sequence(sub)
        return chars, can_be_empty or minimum == 0
    if op is _re_constants.AT:  # \b, ^, $: match no character
        return set(), True
    raise _Unknown
