"""Daily nudges in the conversation: opt in, choose a time and a zone, pause, resume, stop. Pure.

The flow borrows two steps (``nudge_time``, ``nudge_zone``) and keeps where the person was in
``data["back"]``, so that once the nudges are set the conversation carries on where it left off.
Every change of settings is a :class:`SaveNudges` effect with the next slot already computed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from bot.content.loader import PRINCIPLES, Content
from bot.engine.model import NudgePrefs, SaveNudges, Turn, UserState
from bot.engine.nudge_views import NudgeViews
from bot.engine.schedule import Slot, find_zone, next_slot, parse_clock, zone, zones_for_clock

PAUSE = timedelta(days=7)
NUDGE_STEPS = ("nudge_time", "nudge_zone")
_MAX_ZONE_CHOICES = 4


class NudgeFlow:
    def __init__(self, content: Content) -> None:
        self.content = content

    def views(self, state: UserState) -> NudgeViews:
        return NudgeViews(self.content, state.pronoun)

    # ------------------------------------------------------------------ entry points
    def menu(self, state: UserState, now: datetime) -> Turn:
        """/nudges and the settings button: the status when on, else the offer."""
        return Turn(state, (self.views(state).status(state.nudges or NudgePrefs(), now),))

    def offer_after_advice(self, state: UserState) -> Turn | None:
        """After "That helps": offer nudges once, to someone who has none."""
        prefs = state.nudges or NudgePrefs()
        if prefs.enabled or prefs.offered:
            return None
        updated = replace(prefs, offered=True)
        return Turn(
            replace(state, nudges=updated),
            (self.views(state).offer(after_advice=True),),
            (SaveNudges(updated),),
        )

    def press(self, state: UserState, data: str, now: datetime) -> Turn | None:
        """Handle an ``ng:`` button; None for anything forged or stale."""
        action, _, argument = data.removeprefix("ng:").partition(":")
        prefs = state.nudges or NudgePrefs()
        views = self.views(state)
        match action:
            case "menu":
                return self.menu(state, now)
            case "on":
                return self._ask_time(state)
            case "no":
                return Turn(state, (views.plain(self.content.nudges.declined),))
            case "time" if prefs.enabled:
                return self._ask_time(state)
            case "zone" if prefs.enabled and prefs.at is not None:
                return Turn(self._enter(state, "nudge_zone", at=prefs.at), (views.ask_zone(),))
            case "t" if state.step == "nudge_time":
                preset = getattr(self.content.nudges.presets, argument, None)
                return self._time_chosen(state, preset, now) if preset else None
            case "z" if state.step == "nudge_zone" and zone(argument) is not None:
                at = _pending_at(state)
                return self._activate(state, at, argument, now) if at else self._ask_time(state)
            case "pause" if prefs.enabled:
                paused = replace(prefs, paused_until=now + PAUSE)
                return self._saved(state, paused, now, self.content.nudges.paused)
            case "resume" if prefs.enabled:
                return self._saved(state, replace(prefs, paused_until=None), now, None)
            case "stop":
                if not prefs.enabled:
                    return Turn(state, (views.plain(self.content.nudges.already_off),))
                stopped = replace(prefs, enabled=False, off_reason="stopped", next_due=None)
                return Turn(
                    replace(state, nudges=stopped),
                    (views.plain(self.content.nudges.stopped),),
                    (SaveNudges(stopped),),
                )
        return None

    def text(self, state: UserState, text: str, now: datetime) -> Turn:
        """Free text while the flow waits for a time (``nudge_time``) or a zone (``nudge_zone``)."""
        views = self.views(state)
        if state.step == "nudge_time":
            clock = parse_clock(text)
            if clock is None:
                return Turn(state, (views.ask_time(self.content.nudges.time_unknown),))
            return self._time_chosen(state, f"{clock:%H:%M}", now)
        at = _pending_at(state)
        if at is None:  # a stale or damaged step: start the choice again rather than guess
            return self._ask_time(state)
        named = find_zone(text)
        if named is not None:
            return self._activate(state, at, named, now)
        clock = parse_clock(text)
        preferred = [choice.name for choice in self.content.nudges.zones]
        names = zones_for_clock(clock, now, preferred) if clock is not None else []
        if len(names) == 1:
            return self._activate(state, at, names[0], now)
        if names:
            return Turn(state, (views.choose_zone(names[:_MAX_ZONE_CHOICES]),))
        return Turn(state, (views.ask_zone(self.content.nudges.zone_unknown),))

    # ------------------------------------------------------------------ steps
    def _enter(self, state: UserState, step: str, **data: Any) -> UserState:
        back = state.data.get("back") if state.step in NUDGE_STEPS else None
        back = back or {"step": state.step, "data": state.data}
        return state.moved(step, back=back, **data)  # type: ignore[arg-type]

    def _ask_time(self, state: UserState) -> Turn:
        return Turn(self._enter(state, "nudge_time"), (self.views(state).ask_time(),))

    def _time_chosen(self, state: UserState, at: str, now: datetime) -> Turn:
        prefs = state.nudges or NudgePrefs()
        if prefs.zone is not None and zone(prefs.zone) is not None:
            return self._activate(state, at, prefs.zone, now)
        return Turn(self._enter(state, "nudge_zone", at=at), (self.views(state).ask_zone(),))

    def _activate(self, state: UserState, at: str, zone_name: str, now: datetime) -> Turn:
        prefs = state.nudges or NudgePrefs(first=_first_principle(state))
        on = replace(prefs, enabled=True, at=at, zone=zone_name, off_reason=None)
        return self._saved(self._back(state), on, now, self.content.nudges.turned_on)

    def _saved(self, state: UserState, prefs: NudgePrefs, now: datetime, lead: str | None) -> Turn:
        """Store ``prefs`` with its next slot, and show the status (led by ``lead``)."""
        scheduled = with_next_slot(prefs, now)
        updated = replace(state, nudges=scheduled)
        reply = self.views(state).status(scheduled, now, lead)
        return Turn(updated, (reply,), (SaveNudges(scheduled),))

    def _back(self, state: UserState) -> UserState:
        """Leave the flow's steps: back to where the person was before /nudges."""
        back = state.data.get("back")
        if state.step not in NUDGE_STEPS or not isinstance(back, dict):
            return state
        data = back.get("data")
        restored = state.moved_to(str(back.get("step")))
        return replace(restored, data=data if isinstance(data, dict) else {})


def slot_after(
    prefs: NudgePrefs, now: datetime, sent_through: date | None = None, catch_up: bool = False
) -> Slot | None:
    """The next slot for ``prefs`` from ``now`` (or from the end of a pause); None when off.

    ``sent_through`` (default: the last date sent) is a date that already had its nudge;
    ``catch_up`` keeps today's slot while today lasts (see :func:`bot.engine.schedule.next_slot`).
    """
    tz = zone(prefs.zone or "")
    clock = parse_clock(prefs.at) if prefs.at else None
    if not prefs.enabled or clock is None or tz is None:
        return None
    start = max(now, prefs.paused_until) if prefs.paused_until else now
    return next_slot(clock, tz, start, sent_through or prefs.sent_through, catch_up)


def with_next_slot(prefs: NudgePrefs, now: datetime) -> NudgePrefs:
    """``prefs`` with its next slot filled in (or cleared, when nudges are off)."""
    slot = slot_after(prefs, now)
    if slot is None:
        return replace(prefs, next_due=None, day_end=None, due_date=None)
    return replace(prefs, next_due=slot.due, day_end=slot.day_end, due_date=slot.local_date)


def _pending_at(state: UserState) -> str | None:
    """The time chosen a step ago (kept in the step's data), if it is a valid HH:MM."""
    at = state.data.get("at")
    clock = parse_clock(at) if isinstance(at, str) and ":" in at else None
    return f"{clock:%H:%M}" if clock is not None else None


def _first_principle(state: UserState) -> int:
    """Start the rotation with the idea the person last found useful, if any."""
    principle = state.data.get("principle")
    return PRINCIPLES.index(principle) if principle in PRINCIPLES else 0
