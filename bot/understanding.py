"""Free text -> the principle that fits, with a confidence: a transparent phrase scorer.

Pure and fast: the cue phrases come from ``content/cues.toml``; a message is normalised (lowercase,
no apostrophes or punctuation), every cue found adds its weight to its principle, and confidence grows
with both the share of the evidence the winner holds and how much evidence there is. Below the
content's threshold the bot asks instead of guessing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from bot.content import PRINCIPLES, Cues

_APOSTROPHES = re.compile(r"[’'`´]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
# How much evidence makes us sure: with this much weight behind the winner, saturation is ~63%.
_EVIDENCE_SCALE = 1.6


@dataclass(frozen=True)
class Routing:
    """The router's answer: principles best first, and how sure it is of the first."""

    ranking: tuple[str, ...]  # principles with any evidence, best first
    confidence: float  # 0..1
    confident: bool

    @property
    def principle(self) -> str | None:
        return self.ranking[0] if self.ranking else None


def normalise(text: str) -> list[str]:
    """Lowercase words without accents, apostrophes or punctuation: "Don't!" -> ["dont"].

    Invisible format characters (zero-width spaces and joiners, direction marks) are dropped
    first, so they can neither split a word nor hide one from the safety screen.
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(
        c for c in folded if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    folded = _APOSTROPHES.sub("", folded)
    return _NON_WORD.sub(" ", folded).split()


@dataclass(frozen=True)
class _Cue:
    words: tuple[str, ...]
    prefix: bool  # last word matches any ending
    weight: float


class Router:
    """Scores text against cue phrases. Build once at start-up; :meth:`route` is pure."""

    def __init__(self, cues: Cues) -> None:
        self.threshold = cues.threshold
        self._cues: dict[str, list[_Cue]] = {}
        self._by_first: dict[str, list[tuple[str, _Cue]]] = {}
        self._prefixed: list[tuple[str, _Cue]] = []
        for principle, phrases in cues.phrases.items():
            for phrase in phrases:
                prefix = phrase.endswith("*")
                words = tuple(normalise(phrase.rstrip("*")))
                if not words:
                    continue
                cue = _Cue(words, prefix, 1.0 + 0.6 * (len(words) - 1))
                if prefix and len(words) == 1:
                    self._prefixed.append((principle, cue))
                else:
                    self._by_first.setdefault(words[0], []).append((principle, cue))

    def scores(self, text: str) -> dict[str, float]:
        words = normalise(text)
        scores = dict.fromkeys(PRINCIPLES, 0.0)
        for i, word in enumerate(words):
            for principle, cue in self._by_first.get(word, ()):
                if _matches(words, i, cue):
                    scores[principle] += cue.weight
            for principle, cue in self._prefixed:
                if word.startswith(cue.words[0]):
                    scores[principle] += cue.weight
        return scores

    def route(self, text: str) -> Routing:
        scores = self.scores(text)
        ranked = sorted((p for p in PRINCIPLES if scores[p] > 0), key=lambda p: -scores[p])
        if not ranked:
            return Routing((), 0.0, False)
        total = sum(scores.values())
        top = scores[ranked[0]]
        confidence = (top / total) * (1 - math.exp(-top / _EVIDENCE_SCALE))
        confidence = round(min(max(confidence, 0.0), 1.0), 3)
        return Routing(tuple(ranked), confidence, confidence >= self.threshold)


def _matches(words: list[str], start: int, cue: _Cue) -> bool:
    end = start + len(cue.words)
    if end > len(words):
        return False
    window = words[start:end]
    if cue.prefix:
        return window[:-1] == list(cue.words[:-1]) and window[-1].startswith(cue.words[-1])
    return tuple(window) == cue.words
