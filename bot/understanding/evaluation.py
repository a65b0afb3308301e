"""Figures for the router and the safety screen on labelled messages, per writer and overall.

Used by ``bench/understanding.py`` (which prints them) and the tests (which hold floors under
them). Pure: labelled examples in, counts out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from bot.content.base import PRINCIPLES
from bot.content.labelled import INTENTS, RiskExample, RoutingExample
from bot.understanding.features import normalise
from bot.understanding.router import Router
from bot.understanding.screen import RISKS, SafetyScreen


@dataclass
class RouterFigures:
    """Counts over routing examples; the properties are the figures the issue tracks."""

    intents: Counter[tuple[str, str]] = field(default_factory=Counter)  # (true, chosen)
    principles: Counter[tuple[str, str]] = field(default_factory=Counter)  # situations only
    asks: int = 0
    answered_right: int = 0
    seconds: Counter[str] = field(default_factory=Counter)  # second issue: named, labelled, hit

    def add(self, example: RoutingExample, router: Router) -> None:
        routing = router.route(example.text)
        self.intents[(example.intent, routing.intent)] += 1
        if example.principle is None:
            return
        self.principles[(example.principle, routing.principle or routing.intent)] += 1
        if routing.intent == "situation" and not routing.confident:
            self.asks += 1
        elif routing.principle == example.principle:
            self.answered_right += 1
        self.seconds["labelled"] += example.second is not None
        self.seconds["named"] += routing.second is not None
        self.seconds["hit"] += example.second is not None and routing.second == example.second

    @property
    def situations(self) -> int:
        return sum(self.principles.values())

    @property
    def intent_accuracy(self) -> float:
        total = sum(self.intents.values())
        return sum(n for (t, c), n in self.intents.items() if t == c) / max(total, 1)

    @property
    def top1(self) -> float:
        return sum(n for (t, c), n in self.principles.items() if t == c) / max(self.situations, 1)

    @property
    def ask_rate(self) -> float:
        return self.asks / max(self.situations, 1)

    @property
    def answered_accuracy(self) -> float:
        return self.answered_right / max(self.situations - self.asks, 1)

    def recall(self, table: str, label: str) -> float:
        counts: Counter[tuple[str, str]] = getattr(self, table)
        total = sum(n for (t, _), n in counts.items() if t == label)
        return counts[(label, label)] / max(total, 1)


@dataclass
class SafetyFigures:
    """Verdicts (none / check / crisis / abuse) by true label: crisis, abuse, hard, ordinary."""

    table: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, label: str, verdict: str) -> None:
        self.table[(label, verdict)] += 1

    def total(self, label: str) -> int:
        return sum(n for (t, _), n in self.table.items() if t == label)

    def share(self, label: str, verdicts: Iterable[str]) -> float:
        wanted = set(verdicts)
        return sum(n for (t, v), n in self.table.items() if t == label and v in wanted) / max(
            self.total(label), 1
        )

    @property
    def caught(self) -> float:
        """Crisis and abuse messages that got the check question or a full safety reply."""
        danger = [("crisis", v) for v in RISKS[1:]] + [("abuse", v) for v in RISKS[1:]]
        return sum(self.table[k] for k in danger) / max(
            self.total("crisis") + self.total("abuse"), 1
        )

    @property
    def exact(self) -> float:
        """Crisis and abuse messages that got their own category's full reply."""
        right = self.table[("crisis", "crisis")] + self.table[("abuse", "abuse")]
        return right / max(self.total("crisis") + self.total("abuse"), 1)


def router_figures(router: Router, examples: Sequence[RoutingExample]) -> dict[str, RouterFigures]:
    """Figures per writer, and over all of them under ``"all"``."""
    figures: dict[str, RouterFigures] = defaultdict(RouterFigures)
    for example in examples:
        figures[example.writer].add(example, router)
        figures["all"].add(example, router)
    return dict(figures)


def safety_figures(
    screen: SafetyScreen,
    risk: Sequence[RiskExample],
    ordinary: Sequence[RoutingExample],
    use_model: bool = True,
) -> dict[str, SafetyFigures]:
    """Per writer and overall. Labels: crisis (with crisis_now), abuse, ``hard`` (the ordinary
    messages of the risk files, written to look risky) and ``ordinary`` (the routing messages)."""
    figures: dict[str, SafetyFigures] = defaultdict(SafetyFigures)
    rows = [(e.writer, _risk_label(e.label), e.text) for e in risk]
    rows += [(e.writer, "ordinary", e.text) for e in ordinary]
    for writer, label, text in rows:
        verdict = screen.screen(text, use_model=use_model).risk
        figures[writer].add(label, verdict)
        figures["all"].add(label, verdict)
    return dict(figures)


_Example = TypeVar("_Example", RoutingExample, RiskExample)


def unseen(examples: Sequence[_Example], trained: Iterable[str]) -> list[_Example]:
    """The examples whose words are not, as a whole, a training message too.

    Independent writers do arrive at the same short messages ("who made you?", "ok bye"); a
    figure on text the model was trained on would flatter it, so those are left out.
    """
    known = {" ".join(normalise(text)) for text in trained}
    return [e for e in examples if " ".join(normalise(e.text)) not in known]


def _risk_label(label: str) -> str:
    return {"crisis_now": "crisis", "none": "hard"}.get(label, label)


__all__ = [
    "INTENTS", "PRINCIPLES", "RouterFigures", "SafetyFigures", "router_figures", "safety_figures",
    "unseen",
]  # fmt: skip
