"""Advice: the card for a principle, its versions, the buttons on it, and corrections. Pure.

Each time a principle comes back it says something new (the next version of its why, tip and
message), so the same card never shows twice in a row. Someone who disclosed abuse gets what fits
their situation instead (see :mod:`bot.engine.listening`).
"""

from __future__ import annotations

from dataclasses import replace

from bot.content.loader import CLOSING_IDEA, PRINCIPLES, Content
from bot.engine.listening import Listening
from bot.engine.model import AdviceGiven, FeedbackGiven, Reply, Turn, UserState
from bot.engine.nudge_flow import NudgeFlow
from bot.engine.views import Views

CLOSING_EVERY = 6  # cards between two showings of the closing idea


class AdviceFlow:
    def __init__(self, content: Content, listening: Listening, nudges: NudgeFlow) -> None:
        self.content = content
        self.listening = listening
        self.nudges = nudges

    def card(self, state: UserState, views: Views) -> Reply | None:
        """The advice the person is at, shown again exactly (None when not at advice)."""
        data = state.data
        if state.step != "advised" or data.get("principle") not in PRINCIPLES:
            return None
        version = int(data.get("version", 0))
        _, tip = self.why_and_tip(data["principle"], data.get("situation"), version)
        also = data.get("also") if data.get("also") in PRINCIPLES else None
        draft = data.get("draft", version)
        closing = bool(data.get("closing"))
        return views.advice(data["principle"], data["number"], tip, draft, also, closing)

    def corrected(self, state: UserState, views: Views) -> Turn:
        """The advice got it wrong: say thank you, and go to the next idea, not the same one."""
        turn = self.next_angle(state, views)
        thanks = views.plain(self.content.intents.correction)
        return replace(turn, replies=(thanks, *turn.replies))

    def next_angle(self, state: UserState, views: Views) -> Turn:
        """The next idea in the ranking of the advice the person is at, or: that was the last."""
        ranking, position = list(state.data["ranking"]), int(state.data["position"]) + 1
        if position >= len(ranking):
            return Turn(state, (views.last_angle(),))
        return self.advise(state, ranking, position, "angle", None, views)

    def button(self, state: UserState, kind: str, rest: str, views: Views) -> Turn | None:
        if kind == "fb":
            verdict, _, number_text = rest.partition(":")
            number = number_in(number_text)
            if verdict not in ("y", "n") or number is None or not 1 <= number <= state.advice_count:
                return None
            helpful = verdict == "y"
            thanks = Turn(
                state, (views.after_feedback(helpful, number),), (FeedbackGiven(number, helpful),)
            )
            offer = self.nudges.offer_after_advice(state) if helpful else None
            if offer is None:
                return thanks
            return Turn(offer.state, thanks.replies + offer.replies, thanks.effects + offer.effects)
        number = number_in(rest)
        if number is None or state.step != "advised" or number != state.data.get("number"):
            return None
        data = state.data
        if kind == "why":
            why, _ = self.why_and_tip(
                data["principle"], data.get("situation"), data.get("version", 0)
            )
            return Turn(state, (views.why(why, number),))
        if kind == "say":
            draft = int(data.get("draft", 0)) + 1
            new_state = state.moved("advised", **{**data, "draft": draft})
            return Turn(new_state, (views.draft(data["principle"], number, draft),))
        return self.next_angle(state, views)

    def advise(
        self,
        state: UserState,
        ranking: list[str],
        position: int,
        method: str,
        situation: str | None,
        views: Views,
        also: str | None = None,
    ) -> Turn:
        """Give the advice at ``ranking[position]``; ``also`` (a second issue) is shown with it."""
        if self.listening.remembers_abuse(state):
            return self.listening.instead_of_advice(state, views)
        number = state.advice_count + 1
        principle = ranking[position]
        seen = dict(state.memory.get("seen", {}))
        version = int(seen.get(principle, 0))
        seen[principle] = version + 1
        # The closing idea on the first card, then once every six: not on every card.
        last_closing = state.memory.get("closing")
        closing = not isinstance(last_closing, int) or number - last_closing >= CLOSING_EVERY
        memory = {**state.memory, "seen": seen, "last": principle}
        if closing:
            memory["closing"] = number
        new_state = replace(state, advice_count=number, memory=memory).moved(
            "advised",
            principle=principle,
            ranking=ranking,
            position=position,
            number=number,
            draft=version,
            version=version,
            situation=situation,
            also=also,
            closing=closing,
        )
        effect = AdviceGiven(number, principle, method, situation)  # type: ignore[arg-type]
        _, tip = self.why_and_tip(principle, situation, version)
        reply = views.advice(principle, number, tip, version, also, closing)
        return Turn(new_state, (reply,), (effect,))

    def why_and_tip(
        self, principle: str, situation_key: str | None, version: int
    ) -> tuple[str, str]:
        """Version 0 is the principle's own (or its situation's) why and tip; later ones differ."""
        versions = self.content.listening.get(principle)  # type: ignore[call-overload]
        count = 1 + (len(versions.why) if versions else 0)
        step = version % count
        if step == 0 or versions is None:
            return self._why(principle, situation_key), self.content.topic(principle).tip
        tip_index = (step - 1) % len(versions.tip)
        return versions.why[step - 1], versions.tip[tip_index]

    def _why(self, principle: str, situation_key: str | None) -> str:
        """A situation's own explanation when the advice came from its button, else the topic's."""
        situation = self.content.situation(situation_key) if situation_key else None
        if situation is not None and situation.principle == principle:
            return situation.why
        return self.content.topic(principle).why


def full_ranking(first: tuple[str, ...]) -> list[str]:
    """The given principles first (deduplicated), then the rest, then the closing idea."""
    ranking: list[str] = []
    for key in (*first, *PRINCIPLES, CLOSING_IDEA):
        if key not in ranking:
            ranking.append(key)
    return ranking


def number_in(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 9 else None
