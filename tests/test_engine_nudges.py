"""The nudge settings flow in the pure engine: opt in, time, zone, pause, stop, forged buttons."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.engine import Command, Engine, Press, Text, Turn, UserState
from bot.engine.model import NudgePrefs, SaveNudges

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 09:00 in New York, 15:00 in Berlin


def buttons(turn: Turn) -> list[str]:
    return [b.data for reply in turn.replies for row in reply.buttons for b in row]


def saved(turn: Turn) -> NudgePrefs:
    [effect] = [e for e in turn.effects if isinstance(e, SaveNudges)]
    return effect.prefs


def opted_in(engine: Engine, at: str = "ng:t:evening", zone: str = "America/New_York") -> Turn:
    state = UserState(step="ask_situation", pronoun="she")
    turn = engine.handle(state, Command("nudges"), NOW)
    turn = engine.handle(turn.state, Press("ng:on"), NOW)
    turn = engine.handle(turn.state, Press(at), NOW)
    return engine.handle(turn.state, Press(f"ng:z:{zone}"), NOW)


def test_nudges_are_offered_not_switched_on(engine):
    turn = engine.handle(UserState(step="ask_situation", pronoun="he"), Command("nudges"), NOW)
    assert buttons(turn) == ["ng:on", "ng:no"]
    assert turn.effects == () and turn.state.nudges is None


def test_opting_in_with_buttons_sets_time_zone_and_the_next_nudge(engine):
    turn = opted_in(engine)
    prefs = saved(turn)
    assert (prefs.enabled, prefs.at, prefs.zone) == (True, "20:00", "America/New_York")
    assert prefs.next_due == datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 20:00 EST today
    assert prefs.due_date == date(2026, 11, 24)
    text = turn.replies[0].text
    assert "20:00" in text and "New York" in text and "Tue 24 Nov, 20:00" in text
    assert {"ng:time", "ng:zone", "ng:pause", "ng:stop"} <= set(buttons(turn))
    assert turn.state.step == "ask_situation", "the conversation carries on where it was"


def test_a_typed_time_and_the_time_it_is_there(engine):
    turn = engine.handle(UserState(step="advised", pronoun="they"), Press("ng:on"), NOW)
    turn = engine.handle(turn.state, Text("7.45am"), NOW)
    assert turn.state.step == "nudge_zone"
    turn = engine.handle(turn.state, Text("3:01 pm"), NOW)  # 15:00 at 14:00 UTC: Central Europe
    prefs = saved(turn)
    assert (prefs.at, prefs.zone) == ("07:45", "Europe/Berlin")
    assert prefs.next_due == datetime(2026, 11, 25, 6, 45, tzinfo=UTC)  # tomorrow 07:45 CET


def test_a_city_name_sets_the_zone(engine):
    turn = engine.handle(UserState(step="advised", pronoun="he"), Press("ng:on"), NOW)
    turn = engine.handle(turn.state, Press("ng:t:morning"), NOW)
    turn = engine.handle(turn.state, Text("tokyo"), NOW)
    assert saved(turn).zone == "Asia/Tokyo"


def test_a_time_that_is_not_a_time_is_asked_again_kindly(engine):
    turn = engine.handle(UserState(step="advised", pronoun="he"), Press("ng:on"), NOW)
    again = engine.handle(turn.state, Text("whenever"), NOW)
    assert again.state.step == "nudge_time" and again.effects == ()
    assert "ng:t:morning" in buttons(again)
    lost = engine.handle(again.state.moved("nudge_zone", at="07:00"), Text("narnia"), NOW)
    assert lost.state.step == "nudge_zone" and "ng:z:Europe/London" in buttons(lost)


def test_a_crisis_message_is_screened_even_in_the_middle_of_the_nudge_flow(engine):
    turn = engine.handle(UserState(step="advised", pronoun="he"), Press("ng:on"), NOW)
    reply = engine.handle(turn.state, Text("i want to kill myself"), NOW)
    assert not any(isinstance(e, SaveNudges) for e in reply.effects)
    assert "ng:t:morning" not in buttons(reply)


def test_status_shows_the_next_nudge_in_local_time(engine):
    on = opted_in(engine, "ng:t:morning", "Europe/Berlin")
    status = engine.handle(on.state, Command("nudges"), NOW)
    assert "08:00" in status.replies[0].text and "Wed 25 Nov, 08:00" in status.replies[0].text


def test_pause_for_seven_days_then_resume(engine):
    on = opted_in(engine, "ng:t:morning", "Europe/Berlin")
    paused = engine.handle(on.state, Press("ng:pause"), NOW)
    prefs = saved(paused)
    assert prefs.enabled and prefs.paused_until == NOW + timedelta(days=7)
    assert prefs.due_date == date(2026, 12, 2)  # the first 08:00 after the pause
    assert "ng:resume" in buttons(paused)
    resumed = engine.handle(paused.state, Press("ng:resume"), NOW)
    assert saved(resumed).paused_until is None and saved(resumed).due_date == date(2026, 11, 25)


def test_stop_is_one_tap_and_says_how_to_restart(engine):
    on = opted_in(engine)
    stopped = engine.handle(on.state, Press("ng:stop"), NOW)
    prefs = saved(stopped)
    assert not prefs.enabled and prefs.off_reason == "stopped" and prefs.next_due is None
    assert "/nudges" in stopped.replies[0].text
    again = engine.handle(stopped.state, Press("ng:stop"), NOW)
    assert again.effects == ()


def test_changing_the_time_keeps_the_zone(engine):
    on = opted_in(engine, "ng:t:morning", "Europe/Berlin")
    turn = engine.handle(on.state, Press("ng:time"), NOW)
    turn = engine.handle(turn.state, Text("21:15"), NOW)
    prefs = saved(turn)
    assert (prefs.at, prefs.zone) == ("21:15", "Europe/Berlin")
    assert prefs.due_date == date(2026, 11, 24)


def test_forged_or_stale_nudge_buttons_change_nothing(engine):
    state = UserState(step="advised", pronoun="he")
    for data in ("ng:t:morning", "ng:z:Europe/Berlin", "ng:pause", "ng:z:../../etc", "ng:t:x"):
        turn = engine.handle(state, Press(data), NOW)
        assert not any(isinstance(e, SaveNudges) for e in turn.effects), data
    on = opted_in(engine)
    turn = engine.handle(on.state.moved("nudge_zone"), Press("ng:z:Europe/Berlin"), NOW)
    assert not any(isinstance(e, SaveNudges) for e in turn.effects)
    assert turn.state.step == "nudge_time", "no time in hand: ask for it again"


def test_nudges_are_offered_once_after_helpful_advice(engine):
    state = engine.handle(
        UserState(step="ask_situation", pronoun="he"), Text("i keep texting him all day"), NOW
    ).state
    helped = engine.handle(state, Press(f"fb:y:{state.advice_count}"), NOW)
    assert "ng:on" in buttons(helped)
    later = engine.handle(
        helped.state.moved("ask_situation"), Text("i keep texting him all day"), NOW
    ).state
    again = engine.handle(later, Press(f"fb:y:{later.advice_count}"), NOW)
    assert "ng:on" not in buttons(again)
