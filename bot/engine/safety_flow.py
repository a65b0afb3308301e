"""Safety before advice: the engine's answers to a screened hit, /sos, grounding and the plan. Pure.

A hit never moves the conversation and never gives advice: the person gets help, and a button to
carry on once safe. Writing the safety plan is its own step (``plan``); it remembers where the
conversation was and returns there when the plan is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.content.loader import Content
from bot.engine.model import STEPS, Reply, SafetyHit, SavePlanSection, Turn, UserState
from bot.engine.safety_views import PLAN_SECTION_MAX, SafetyViews
from bot.engine.schedule import country_of_zone
from bot.understanding.screen import Screening

Prompt = Callable[[UserState], tuple[Reply, ...]]


class SafetyFlow:
    def __init__(self, content: Content, helpline_country: str, prompt: Prompt) -> None:
        self.content = content
        self._by_country = {code: SafetyViews(content, code) for code in content.helplines}
        self.views = self._by_country.get(helpline_country) or SafetyViews(
            content, helpline_country
        )
        self.sections = content.safety.plan_sections
        self._prompt = prompt  # what the conversation would ask next, to resume after safety

    def views_for(self, state: UserState) -> SafetyViews:
        """The help lines of the person's own country when it is known: the one they chose, or
        the one their time zone is in; else the operator's HELPLINE_COUNTRY."""
        return self._by_country.get(self.country_of(state) or "", self.views)

    def country_of(self, state: UserState) -> str | None:
        chosen = state.memory.get("country")
        if isinstance(chosen, str) and chosen in self._by_country:
            return chosen
        zone = state.nudges.zone if state.nudges else None
        found = country_of_zone(zone)
        return found if found in self._by_country else None

    def hit(self, state: UserState, screening: Screening) -> Turn:
        reply = self._hit_reply(state, screening.risk, screening.urgent)
        return Turn(remember(state, screening.risk), (reply,), (SafetyHit(screening.risk),))

    def _hit_reply(self, state: UserState, risk: str, urgent: bool = False) -> Reply:
        """The safety reply in the person's country; asks where they live once, if unknown."""
        return self.views_for(state).hit(risk, urgent, ask_country=self.country_of(state) is None)

    def check(self, state: UserState, pending: dict[str, Any]) -> Turn:
        """Ask directly before any advice; ``pending`` is what the message would have had.

        The person's words are not kept, only the router's plain verdict on them, so that "No,
        I'm safe, go on" can carry on with the advice without asking them to write it again.
        """
        resume = state.data.get("resume") if state.step == "check" else None
        resume = resume or {"step": state.step, "data": state.data}
        return Turn(
            state.moved("check", pending=pending, resume=resume),
            (self.views.check(),),
            (SafetyHit("check"),),
        )

    def sos(self, state: UserState) -> Turn:
        return Turn(state, self.views_for(state).sos(state.plan))

    def press(self, state: UserState, data: str) -> Turn | None:
        """Handle a safety button; None if ``data`` is not one (or is stale)."""
        kind, _, rest = data.partition(":")
        if data == "sos":
            return self.sos(state)
        if data in ("ck:self", "ck:hurt"):
            risk = "crisis" if data == "ck:self" else "abuse"
            resumed = self._resume(state) if state.step == "check" else state
            return Turn(
                remember(resumed, risk), (self._hit_reply(state, risk),), (SafetyHit(risk),)
            )
        if data == "safe":
            resumed = self._resume(state) if state.step == "plan" else state
            if resumed.step == "new":
                resumed = resumed.moved("ask_pronoun")
            glad = Reply(self.content.safety.safe_continue)
            return Turn(resumed, (glad, *self._prompt(resumed)))
        if data == "hc":
            return Turn(state, (self.views.country_question(),))
        if kind == "hc" and rest in self._by_country:
            chosen = replace(state, memory={**state.memory, "country": rest})
            return Turn(chosen, (Reply(self._by_country[rest].helplines()),))
        if kind == "ap" and rest.isdigit() and int(rest) < len(self.content.abuse_plan.steps):
            return Turn(state, (self.views.abuse_plan_step(int(rest)),))
        if kind == "gr" and rest.isdigit() and int(rest) < len(self.content.safety.grounding):
            return Turn(state, (self.views.grounding(int(rest)),))
        if data == "sp":
            resume = state.data.get("resume") if state.step == "plan" else None
            resume = resume or {"step": state.step, "data": state.data}
            return Turn(
                state.moved("plan", section=0, resume=resume),
                (self.views.plan_prompt(0, intro=True),),
            )
        if data == "sp:skip" and state.step == "plan":
            return self._advance(state, state.plan, (), danger=False)
        return None

    def plan_text(self, state: UserState, text: str, screening: Screening) -> Turn:
        """A plan section written in the person's words: keep it (trimmed), then ask the next."""
        section = self.section_of(state)
        written = " ".join(text.split())
        if not written:
            return self._advance(state, state.plan, (), danger=screening.hit)
        kept = written[:PLAN_SECTION_MAX]
        plan = {**state.plan, self.sections[section].key: kept}
        effects: list[SavePlanSection | SafetyHit] = [
            SavePlanSection(self.sections[section].key, kept)
        ]
        if screening.hit:
            effects.append(SafetyHit(screening.risk))
            state = remember(state, screening.risk)
        notes = (Reply(self.views.trimmed_note()),) if len(written) > PLAN_SECTION_MAX else ()
        turn = self._advance(state, plan, notes, danger=screening.hit)
        return replace(turn, effects=tuple(effects))

    def cancel(self, state: UserState) -> UserState:
        """Leave the plan or the check question, back to where the conversation was."""
        return self._resume(state)

    # ------------------------------------------------------------------ helpers
    def section_of(self, state: UserState) -> int:
        section = state.data.get("section", 0)
        return section if isinstance(section, int) and 0 <= section < len(self.sections) else 0

    def _advance(
        self,
        state: UserState,
        plan: dict[str, str],
        notes: tuple[Reply, ...],
        danger: bool,
    ) -> Turn:
        following = self.section_of(state) + 1
        if following < len(self.sections):
            moved = replace(state, plan=plan).moved(
                "plan", section=following, resume=state.data.get("resume")
            )
            return Turn(moved, (*notes, self.views.plan_prompt(following, danger=danger)))
        finished = self._resume(replace(state, plan=plan))
        return Turn(finished, (*notes, self.views.plan_readback(plan, saved=True)))

    def _resume(self, state: UserState) -> UserState:
        resume = state.data.get("resume")
        if not isinstance(resume, dict):
            return state.moved("ask_situation" if state.pronoun else "new")
        step = resume.get("step")
        data = resume.get("data")
        if step not in STEPS or step in ("plan", "check"):
            step = "ask_situation" if state.pronoun else "new"
        return replace(state, data=data if isinstance(data, dict) else {}).moved_to(step)


def remember(state: UserState, risk: str) -> UserState:
    """After abuse, the conversation keeps it in mind: no more advice about giving space."""
    if risk != "abuse" or state.memory.get("abuse"):
        return state
    return replace(state, memory={**state.memory, "abuse": True})
