"""Free text -> what kind of message it is, and for a situation, the principle that fits. Pure.

A learned model (``content/models/router.model``, see :mod:`bot.understanding.linear`) gives a
probability to each of thirteen labels: the six principles, and the intents that are not a
situation the principles address (``breakup``, ``infidelity``, ``decision``, ``thanks``,
``frustration``, ``about_bot``, ``unclear``). The intent is the likeliest of ``situation`` (the
principles together) and the others. For a situation, the confidence is the top principle's share
among the principles; below ``ask_below`` (chosen with the model, by cross-validation across
writers) the bot asks with buttons which principle fits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.content.base import PRINCIPLES
from bot.content.labelled import INTENTS
from bot.understanding.features import normalise
from bot.understanding.linear import LinearModel

__all__ = ["Router", "Routing", "normalise"]
SITUATION = "situation"
_CLAUSE_BREAK = re.compile(
    r"[.;!?,]+|\b(?:and|but|so|because|cause|cuz|coz|then|now|while|although|though|also)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Routing:
    """The router's answer: the intent, and for a situation the principles best first."""

    intent: str
    ranking: tuple[str, ...] = ()  # best first; empty unless the intent is a situation
    confidence: float = 0.0  # the top principle's share among the principles (0..1)
    confident: bool = False
    second: str | None = None  # a second issue one part of the message clearly raises

    @property
    def principle(self) -> str | None:
        return self.ranking[0] if self.ranking else None


class Router:
    """Built once at start-up from the model file; :meth:`route` is pure."""

    def __init__(
        self,
        model: LinearModel,
        threshold: float | None = None,
        clause_share: float = 0.6,
        second_share: float = 0.1,
    ) -> None:
        missing = (set(PRINCIPLES) | set(INTENTS) - {SITUATION}) - set(model.classes)
        if missing:
            raise ValueError(f"the router model has no class for {sorted(missing)}")
        self.model = model
        self.threshold = (
            float(model.header.get("ask_below", 0.5)) if threshold is None else threshold
        )
        self.clause_share = clause_share  # a clause this sure of another principle: a second issue
        # ... which must also hold this share of the whole message. Chosen on the training
        # messages: it keeps the seconds their writers labelled and drops most of the others.
        self.second_share = second_share

    def route(self, text: str) -> Routing:
        words = normalise(text)
        known = self.model.blocks["word"].index
        if not any(word in known for word in words):
            return Routing("unclear")  # not one word the model has seen: nothing to go on
        p = self.model.probabilities_of(words)
        situation = sum(p[k] for k in PRINCIPLES)
        others = {k: v for k, v in p.items() if k not in PRINCIPLES}
        intent = max(others, key=others.__getitem__)
        if others[intent] > situation:
            return Routing(intent)
        share = _principle_shares(p)
        ranking = sorted(PRINCIPLES, key=lambda k: -share[k])
        confidence = round(share[ranking[0]], 3)
        second = self._second_issue(text, ranking[0])
        if second is not None and share[second] < self.second_share:
            second = None  # a clause leaned elsewhere, but the message as a whole does not
        if second is not None:  # the second issue is the next angle
            ranking.remove(second)
            ranking.insert(1, second)
        # Two issues, each clear in its own clause, split the confidence between them: that is
        # not doubt, so the bot answers the first and names the second instead of asking.
        confident = confidence >= self.threshold or second is not None
        return Routing(SITUATION, tuple(ranking), confidence, confident, second)

    def _second_issue(self, text: str, primary: str) -> str | None:
        """A principle that one clause of the message clearly raises, other than ``primary``.

        "He asked for space and now I can't stop texting him" is two messages in one; read
        clause by clause, the second clause names the second issue even when the words of the
        first dominate the whole. Only a clause that is itself clearly a situation counts.
        """
        clauses = [c for c in _CLAUSE_BREAK.split(text) if len(c.split()) >= 4][:8]
        if len(clauses) < 2:
            return None
        best, best_share = None, self.clause_share
        for clause in clauses:
            p = self.model.probabilities(clause)
            share = _principle_shares(p)
            top = max(share, key=share.__getitem__)
            situation = sum(p[k] for k in PRINCIPLES)
            if top != primary and situation >= 0.6 and share[top] >= best_share:
                best, best_share = top, share[top]
        return best


def _principle_shares(p: Mapping[str, float]) -> dict[str, float]:
    total = sum(p[k] for k in PRINCIPLES) or 1.0
    return {k: p[k] / total for k in PRINCIPLES}
