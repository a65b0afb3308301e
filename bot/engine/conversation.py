"""The conversation engine: (state, input, now) -> Turn(new state, replies, effects). Pure.

Steps: ``new`` -> ``ask_pronoun`` -> ``ask_situation`` -> (``clarify``) -> ``advised``.
/principles, /settings and /help never move the step, so they can be used at any moment without
losing the place. Every button carries what it acts on, so stale or forged presses are recognised.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import datetime

from bot.content.loader import CLOSING_IDEA, PRINCIPLES, Content
from bot.content.pronouns import PRONOUNS
from bot.engine.advice import AdviceFlow, full_ranking
from bot.engine.listening import LONG_MESSAGE, Listening
from bot.engine.model import (
    Command,
    EraseData,
    ExportData,
    Input,
    Press,
    Reply,
    Text,
    Turn,
    Unsupported,
    UserState,
)
from bot.engine.nudge_flow import NUDGE_STEPS, NudgeFlow
from bot.engine.safety_flow import SafetyFlow
from bot.engine.views import Views
from bot.understanding.router import Router, Routing, normalise
from bot.understanding.screen import SafetyScreen

COMMANDS = (
    "start", "principles", "settings", "nudges", "help", "sos", "cancel", "mydata", "forget"
)  # fmt: skip
_PRONOUN_WORDS = {
    "he": "he", "him": "he", "his": "he", "boyfriend": "he", "husband": "he",
    "she": "she", "her": "she", "hers": "she", "girlfriend": "she", "wife": "she",
    "they": "they", "them": "they", "their": "they", "partner": "they",
}  # fmt: skip
_MAX_CLARIFY = 3


class Engine:
    """Holds content, router and safety screen; :meth:`handle` is a pure function of its inputs."""

    def __init__(
        self,
        content: Content,
        router: Router,
        screen: SafetyScreen,
        helpline_country: str = "INTL",
    ) -> None:
        self.content = content
        self.router = router
        self.screen = screen
        self.safety = SafetyFlow(content, helpline_country, self._resume_prompt)
        self.nudges = NudgeFlow(content)
        self.listening = Listening(content, self.safety.views_for)
        self.advice = AdviceFlow(content, self.listening, self.nudges)

    def handle(self, state: UserState, event: Input, now: datetime) -> Turn:
        views = Views(self.content, state.pronoun)
        if isinstance(event, Command):
            return self._command(state, event, views, now)
        if isinstance(event, Press):
            return self.safety.press(state, event.data) or self._press(
                state, event.data, views, now
            )
        if isinstance(event, Text):
            # Safety first: every free text is screened before anything else happens.
            screening = self.screen.screen(event.text)
            if state.step == "plan":
                return self.safety.plan_text(state, event.text, screening)
            if screening.hit:
                return self.safety.hit(state, screening)
            if screening.check and state.step not in NUDGE_STEPS:
                routing = self.router.route(event.text)
                return self.safety.check(state, dataclasses.asdict(routing))
            if state.step in NUDGE_STEPS:
                return self.nudges.text(state, event.text, now)
            return self._text(state, event.text, views)
        if isinstance(event, Unsupported):
            if state.step == "new":
                return self._welcome(state, views)
            return Turn(state, (views.plain(self.content.texts.unsupported),))
        raise TypeError(f"unknown input {event!r}")  # pragma: no cover - exhaustive above

    # ------------------------------------------------------------------ commands
    def _command(self, state: UserState, command: Command, views: Views, now: datetime) -> Turn:
        texts = self.content.texts
        match command.name:
            case "start":
                if state.step == "new":
                    return self._welcome(state, views)
                return Turn(state, (views.plain(texts.welcome_back), *self._prompt(state, views)))
            case "principles":
                return Turn(state, (views.principles_list(),))
            case "settings":
                return Turn(state, (views.settings(),))
            case "nudges":
                return self.nudges.menu(state, now)
            case "help":
                return Turn(state, (views.plain(texts.help),))
            case "sos":
                return self.safety.sos(state)
            case "cancel":
                if state.step == "plan":
                    state = self.safety.cancel(state)
                if state.pronoun is None:
                    return self._welcome(state, views)
                return Turn(
                    state.moved("ask_situation"),
                    (views.plain(texts.cancel), views.situation_menu()),
                )
            case "mydata":
                return Turn(state, effects=(ExportData(),))
            case "forget":
                return Turn(state, (views.forget_question(),))
        return Turn(state, (views.plain(texts.unknown_command),))

    def _welcome(self, state: UserState, views: Views) -> Turn:
        return Turn(state.moved("ask_pronoun"), (views.welcome(), views.pronoun_question()))

    def _resume_prompt(self, state: UserState) -> tuple[Reply, ...]:
        views = Views(self.content, state.pronoun)
        if state.step == "new":
            return (views.welcome(), views.pronoun_question())
        return self._prompt(state, views)

    def _prompt(self, state: UserState, views: Views) -> tuple[Reply, ...]:
        """Ask again whatever the current step is waiting for."""
        data = state.data
        if state.step in ("new", "ask_pronoun"):
            return (views.pronoun_question(),)
        if state.step == "clarify":
            return (views.clarify(list(data.get("candidates", []))),)
        if state.step == "plan":
            return (self.safety.views.plan_prompt(self.safety.section_of(state)),)
        if state.step == "nudge_time":
            return (self.nudges.views(state).ask_time(),)
        if state.step == "nudge_zone":
            return (self.nudges.views(state).ask_zone(),)
        if (card := self.advice.card(state, views)) is not None:
            return (card,)
        return (views.situation_menu(),)

    # ------------------------------------------------------------------ free text
    def _text(self, state: UserState, text: str, views: Views) -> Turn:
        if state.step == "new":
            return self._welcome(state, views)
        if state.step == "ask_pronoun":
            return self._pronoun_from_text(state, text, views)
        return self._route(state, text, views)

    def _pronoun_from_text(self, state: UserState, text: str, views: Views) -> Turn:
        """A typed pronoun, or a situation typed straight away: take the pronoun it implies."""
        words = normalise(text)
        found = [_PRONOUN_WORDS[w] for w in words if w in _PRONOUN_WORDS]
        if len(words) <= 3 and found:
            return self._set_pronoun(state, found[0], views)
        if len(words) > 3 and self.router.route(text).ranking:
            pronoun = max(PRONOUNS, key=found.count) if found else "they"
            named = self._set_pronoun(state, pronoun, views)
            routed = self._route(named.state, text, Views(self.content, pronoun))
            return replace(routed, replies=(named.replies[0], *routed.replies))
        return Turn(state, (views.pronoun_question(self.content.texts.pronoun_again),))

    def _route(self, state: UserState, text: str, views: Views) -> Turn:
        routing = self.router.route(text)
        if self.listening.is_correction(state, text, routing):
            return self.advice.corrected(state, views)
        long = len(text) >= LONG_MESSAGE
        turn = self._answer(state, routing, views, long)
        if long and routing.intent in ("situation", "unclear"):
            return self.listening.acknowledged(turn, views)  # before the question or advice
        return turn

    def _answer(self, state: UserState, routing: Routing, views: Views, long: bool = False) -> Turn:
        """Advice when the router is sure, buttons to choose when it is not, else the menu.

        After a long message the menu does not ask for "a little more": it asks which is closest.
        """
        if (turn := self.listening.intent(state, routing, views)) is not None:
            return turn
        if routing.confident and routing.principle is not None:
            ranking = full_ranking(routing.ranking)
            return self.advice.advise(state, ranking, 0, "text", None, views, routing.second)
        if routing.ranking:
            candidates = list(routing.ranking[:_MAX_CLARIFY])
            return Turn(state.moved("clarify", candidates=candidates), (views.clarify(candidates),))
        return Turn(
            state.moved("ask_situation"),
            (views.situation_menu(None if long else self.content.texts.tell_me_more),),
        )

    # ------------------------------------------------------------------ buttons
    def _press(self, state: UserState, data: str, views: Views, now: datetime) -> Turn:
        kind, _, rest = data.partition(":")
        texts = self.content.texts
        if kind == "pr" and rest in PRONOUNS:
            return self._set_pronoun(
                replace(state, consent_at=state.consent_at or now), rest, views
            )
        if kind == "st" and rest.startswith("pr:") and rest[3:] in PRONOUNS:
            updated = replace(state, pronoun=rest[3:])
            return Turn(updated, (Views(self.content, updated.pronoun).settings(edit=True),))
        if kind == "sit" and (situation := self.content.situation(rest)) is not None:
            ranking = full_ranking((situation.principle,))
            return self.advice.advise(state, ranking, 0, "button", situation.key, views)
        if kind == "pick" and rest in PRINCIPLES:
            candidates = [rest, *state.data.get("candidates", [])]
            ranking = full_ranking(tuple(candidates))
            return self.advice.advise(state, ranking, 0, "clarify", None, views)
        if data == "ab:back":
            return self.listening.back_to_general(state, views)
        if data == "ck:safe" and state.step == "check":
            return self._carry_on(state, views)
        if data == "own":
            return Turn(state.moved("ask_situation"), (views.plain(texts.describe),))
        if data == "restart":
            return Turn(state.moved("ask_situation"), (views.situation_menu(),))
        if data == "pp":
            return Turn(state, (views.principles_list(edit=True),))
        if kind == "pp" and rest in (*PRINCIPLES, CLOSING_IDEA):
            return Turn(state, (views.principle_detail(rest),))
        if data in ("fg:yes", "fg:no"):
            if data == "fg:no":
                return Turn(state, (views.plain(texts.forget_kept, edit=True),))
            return Turn(UserState(), (views.plain(texts.forget_done, edit=True),), (EraseData(),))
        if kind == "ng" and rest.startswith("more:") and rest[5:] in PRINCIPLES:
            return Turn(state, (replace(views.principle_detail(rest[5:]), edit=False),))
        if kind == "ng" and (turn := self.nudges.press(state, data, now)) is not None:
            return turn
        if kind in ("why", "say", "ang", "fb"):
            turn = self.advice.button(state, kind, rest, views)
            if turn is not None:
                return turn
        # Forged, malformed or stale: say so gently, and show where we are.
        return Turn(state, self._prompt(state, views), toast=texts.stale_button)

    def _carry_on(self, state: UserState, views: Views) -> Turn:
        """ "No, I'm safe, go on": the advice the checked message would have had."""
        pending = state.data.get("pending")
        resumed = self.safety.cancel(state)
        thanks = views.plain(self.content.safety.check_thanks)
        try:
            routing = Routing(**pending) if isinstance(pending, dict) else None
        except TypeError:  # stored by another version of the bot
            routing = None
        if routing is None or resumed.pronoun is None or resumed.step in ("new", "ask_pronoun"):
            return Turn(resumed, (thanks, *self._resume_prompt(resumed)))
        routing = replace(routing, ranking=tuple(routing.ranking))
        turn = self._answer(resumed, routing, views)
        return replace(turn, replies=(thanks, *turn.replies))

    # ------------------------------------------------------------------ shared steps
    def _set_pronoun(self, state: UserState, pronoun: str, views: Views) -> Turn:
        updated = replace(state, pronoun=pronoun)
        fresh = Views(self.content, pronoun)
        if state.step in ("new", "ask_pronoun"):
            return Turn(
                updated.moved("ask_situation"),
                (fresh.plain(self.content.texts.pronoun_set), fresh.situation_menu()),
            )
        return Turn(updated, (fresh.plain(self.content.texts.pronoun_set),))
