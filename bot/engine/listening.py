"""A conversation that listens: what people say around the advice, and safety that stays on. Pure.

- Messages that are not a situation the six ideas address get an answer of their own: a
  break-up or infidelity is never met with "give them space"; a decision is left with the person,
  with three questions; thanks gets a short close, not a card; frustration an apology and ways
  on; questions about the bot a real answer, with a preview of the person's own next nudge.
- A correction of the advice ("but I haven't been texting him much") is thanked and leads to
  another idea, not the same card again.
- A long message is acknowledged before any question or advice.
- Once a person has disclosed abuse, advice about giving that partner space is replaced by what
  fits their situation, until they choose to see the general ideas again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.content.loader import PRINCIPLES, Content
from bot.engine.model import Button, Keyboard, Reply, Turn, UserState
from bot.engine.nudge_views import NudgeViews
from bot.engine.safety_views import SafetyViews
from bot.engine.schedule import rotation
from bot.engine.views import Views
from bot.understanding.router import Routing

LONG_MESSAGE = 240  # characters: about four lines on a phone; longer gets an acknowledgement first
# How a correction of the advice opens, as people type it (after normalising: no apostrophes).
_CORRECTION = re.compile(
    r"^\s*(but|no|nah|nope|not really|thats not|that isnt|thats wrong|actually|hmm no|"
    r"i havent|i dont|i didnt|im not|i wasnt|its not|it isnt|wrong)\b",
    re.IGNORECASE,
)


class Listening:
    def __init__(self, content: Content, safety_views: Callable[[UserState], SafetyViews]) -> None:
        self.content = content
        self.texts = content.intents
        self.safety_views = safety_views  # the person's own country's help lines
        self._pool_sizes = [len(getattr(content.nudges.pool, key)) for key in PRINCIPLES]

    # ------------------------------------------------------------------ intents
    def intent(self, state: UserState, routing: Routing, views: Views) -> Turn | None:
        """The answer to a message that is not a situation; None for situations and unclear."""
        t, b = self.texts, self.texts.buttons
        if routing.intent == "thanks":
            return Turn(state, (views.plain(t.thanks[state.advice_count % len(t.thanks)]),))
        if routing.intent == "about_bot":
            return Turn(state, (views.plain(t.about_bot), self._nudge_preview(state, views)))
        sos, menu = (Button(b.sos, "sos"),), (Button(b.menu, "restart"),)
        principles, missing = (Button(b.principles, "pp"),), (Button(b.missing, "own"),)
        answers: dict[str, tuple[str, Keyboard]] = {
            "breakup": (t.breakup, (sos, menu)),
            "infidelity": (t.infidelity, (sos, menu)),
            "decision": (t.decision, (principles, menu)),
            "frustration": (t.frustration, (menu, principles, missing)),
        }
        if routing.intent not in answers:
            return None
        text, keyboard = answers[routing.intent]
        return Turn(state.moved("ask_situation"), (Reply(views.r(text), keyboard),))

    def _nudge_preview(self, state: UserState, views: Views) -> Reply:
        """The person's own next nudge (or the first one a new person would get), as a quote."""
        prefs = state.nudges
        index, variant = rotation(
            prefs.first if prefs else 0, prefs.sent if prefs else 0, self._pool_sizes
        )
        _, nudge = NudgeViews(self.content, views.pronoun).nudge(index, variant)
        body = nudge.text.split("\n\n", 1)[-1]
        return Reply(
            f"{views.r(self.texts.about_bot_nudge_lead)}\n\n<blockquote>{body}</blockquote>"
        )

    # ------------------------------------------------------------------ corrections and long messages
    @staticmethod
    def is_correction(state: UserState, text: str, routing: Routing) -> bool:
        """A reply to the advice that says it got something wrong."""
        if state.step != "advised":
            return False
        opener = _CORRECTION.match(" ".join(re.sub(r"[’'`]", "", text).split()))
        return routing.intent == "frustration" or (
            opener is not None and routing.principle in (state.data.get("principle"), None)
        )

    def acknowledged(self, turn: Turn, views: Views) -> Turn:
        """A long message gets an acknowledgement before the question or advice that answers it."""
        return Turn(turn.state, (views.plain(self.texts.long_message), *turn.replies), turn.effects)

    # ------------------------------------------------------------------ safety that stays on
    @staticmethod
    def remembers_abuse(state: UserState) -> bool:
        return bool(state.memory.get("abuse"))

    def instead_of_advice(self, state: UserState, views: Views) -> Turn:
        """What someone who disclosed abuse gets when they ask for relationship advice."""
        aware = self.content.abuse_aware
        text = "\n\n".join([views.r(aware.advice_instead), self.safety_views(state).helplines()])
        keyboard = (
            (Button(self.content.safety.buttons.more_help, "sos"),),
            (Button(aware.back_button, "ab:back"),),
        )
        return Turn(state.moved("ask_situation"), (Reply(text, keyboard),))

    def back_to_general(self, state: UserState, views: Views) -> Turn:
        """They chose to see the general ideas again: forget the flag, say so, show the menu."""
        memory: dict[str, Any] = {k: v for k, v in state.memory.items() if k != "abuse"}
        state = replace(state, memory=memory).moved("ask_situation")
        note = views.plain(self.content.abuse_aware.back_note)
        return Turn(state, (note, views.situation_menu()))
