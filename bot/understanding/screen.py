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
from collections.abc import Iterable
from dataclasses import dataclass
from re import _constants as _re_constants  # type: ignore[attr-defined]
from re import _parser as _re_parser  # type: ignore[attr-defined]
from typing import Any, Literal

from bot.content.safety import SafetyPatterns
from bot.understanding.router import normalise

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
