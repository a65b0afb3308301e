"""The pure conversation engine: every step, every kind of input, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import (
    BUTTON_KINDS,
    AdviceGiven,
    Command,
    Engine,
    EraseData,
    ExportData,
    FeedbackGiven,
    Press,
    Text,
    Turn,
    Unsupported,
    UserState,
)
from bot.engine.model import STEPS

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def advised(engine: Engine, principle_text: str = "i keep texting him all day") -> UserState:
    state = UserState(step="ask_situation", pronoun="he")
    return engine.handle(state, Text(principle_text), NOW).state


def all_buttons(turn: Turn) -> list[str]:
    return [b.data for reply in turn.replies for row in reply.buttons for b in row]


def states(engine: Engine) -> list[UserState]:
    return [
        UserState(),
        UserState(step="ask_pronoun"),
        UserState(step="ask_situation", pronoun="she"),
        UserState(step="clarify", pronoun="they", data={"candidates": ["trust", "growth"]}),
        advised(engine),
    ]


def test_new_person_is_welcomed_and_asked_for_a_pronoun(engine):
    turn = engine.handle(UserState(), Command("start"), NOW)
    assert turn.state.step == "ask_pronoun"
    assert "not a therapist" in turn.replies[0].text
    assert all_buttons(turn) == ["pr:he", "pr:she", "pr:they"]


def test_choosing_a_pronoun_records_consent_and_asks_what_is_happening(engine):
    turn = engine.handle(UserState(step="ask_pronoun"), Press("pr:she"), NOW)
    assert turn.state.pronoun == "she" and turn.state.step == "ask_situation"
    assert turn.state.consent_at == NOW
    assert "sit:went_quiet" in all_buttons(turn) and "own" in all_buttons(turn)


@pytest.mark.parametrize(
    ("typed", "pronoun"),
    [("he", "he"), ("Her", "she"), ("they/them", "they"), ("my wife", "she"), ("ok", None)],
)
def test_pronoun_can_be_typed(engine, typed, pronoun):
    turn = engine.handle(UserState(step="ask_pronoun"), Text(typed), NOW)
    assert turn.state.pronoun == pronoun
    if pronoun is None:
        assert turn.state.step == "ask_pronoun" and all_buttons(turn) == [
            "pr:he",
            "pr:she",
            "pr:they",
        ]


def test_a_situation_typed_instead_of_a_pronoun_is_answered(engine):
    typed = "my boyfriend went quiet and i keep texting him, he needs space"
    turn = engine.handle(UserState(step="ask_pronoun"), Text(typed), NOW)
    assert turn.state.pronoun == "he"
    assert '"he"' in turn.replies[0].text
    assert turn.state.step in ("advised", "clarify")
    no_pronoun = engine.handle(
        UserState(step="ask_pronoun"), Text("the spark is gone, so boring"), NOW
    )
    assert no_pronoun.state.pronoun == "they" and no_pronoun.state.step == "advised"


def test_start_from_a_known_person_resumes_without_reset(engine):
    state = advised(engine)
    turn = engine.handle(state, Command("start"), NOW)
    assert turn.state == state
    assert "Welcome back" in turn.replies[0].text
    assert "say:1" in all_buttons(turn)


def test_situation_button_gives_its_principle(engine, content):
    state = UserState(step="ask_situation", pronoun="he")
    for situation in content.situations:
        turn = engine.handle(state, Press(f"sit:{situation.key}"), NOW)
        assert turn.effects == (AdviceGiven(1, situation.principle, "button", situation.key),)
        assert turn.state.data["ranking"][0] == situation.principle


def test_confident_text_gives_advice_and_unsure_text_asks(engine):
    state = UserState(step="ask_situation", pronoun="he")
    sure = engine.handle(state, Text("the spark is gone, it feels boring and routine"), NOW)
    assert sure.state.step == "advised" and sure.state.data["principle"] == "desire"
    unsure = engine.handle(state, Text("i feel lonely and worried"), NOW)
    assert unsure.state.step == "clarify" and unsure.effects == ()
    assert {"pick:trust", "pick:growth"} <= set(all_buttons(unsure))
    nothing = engine.handle(state, Text("hmm"), NOW)
    assert nothing.state.step == "ask_situation" and "sit:went_quiet" in all_buttons(nothing)


def test_clarify_pick_puts_the_choice_first_and_keeps_the_other_as_next_angle(engine):
    state = UserState(step="clarify", pronoun="he", data={"candidates": ["trust", "growth"]})
    turn = engine.handle(state, Press("pick:growth"), NOW)
    assert turn.state.data["ranking"][:2] == ["growth", "trust"]
    assert turn.effects == (AdviceGiven(1, "growth", "clarify", None),)


def test_say_it_cycles_drafts_and_another_angle_walks_the_ranking(engine, content):
    state = advised(engine)
    drafts = set()
    for _ in range(3):
        turn = engine.handle(state, Press("say:1"), NOW)
        state = turn.state
        drafts.add(turn.replies[0].text)
    assert len(drafts) == 3
    seen = [state.data["principle"]]
    for _ in range(6):
        turn = engine.handle(state, Press(f"ang:{state.data['number']}"), NOW)
        state = turn.state
        seen.append(state.data["principle"])
    assert len(set(seen)) == 7, "every principle and the closing idea, once each"
    last = engine.handle(state, Press(f"ang:{state.data['number']}"), NOW)
    assert "every angle" in last.replies[0].text and last.effects == ()


def test_feedback_is_an_effect_on_the_named_advice(engine):
    state = advised(engine)
    helpful = engine.handle(state, Press("fb:y:1"), NOW)
    assert helpful.effects[0] == FeedbackGiven(1, True)
    assert "ng:on" in all_buttons(helpful), "helpful advice is followed by the nudge offer"
    again = engine.handle(helpful.state, Press("fb:y:1"), NOW)
    assert again.effects == (FeedbackGiven(1, True),), "the offer comes once"
    not_quite = engine.handle(state, Press("fb:n:1"), NOW)
    assert not_quite.effects == (FeedbackGiven(1, False),) and "ang:1" in all_buttons(not_quite)
    future = engine.handle(state, Press("fb:y:7"), NOW)
    assert future.effects == () and future.toast


def test_stale_advice_buttons_are_recognised(engine):
    state = advised(engine)
    newer = engine.handle(state, Press("ang:1"), NOW).state
    stale = engine.handle(newer, Press("say:1"), NOW)
    assert stale.state == newer and stale.toast and stale.effects == ()


@pytest.mark.parametrize("command", ["principles", "settings", "help"])
def test_browsing_commands_never_move_the_step(engine, command):
    for state in states(engine):
        turn = engine.handle(state, Command(command), NOW)
        assert turn.state == state and turn.replies


def test_principle_browsing_edits_in_place(engine):
    state = advised(engine)
    detail = engine.handle(state, Press("pp:trust"), NOW)
    assert detail.replies[0].edit and all_buttons(detail) == ["pp"]
    listing = engine.handle(state, Press("pp"), NOW)
    assert listing.replies[0].edit and len(all_buttons(listing)) == 7
    assert detail.state == listing.state == state


def test_cancel_goes_back_to_the_start_but_keeps_settings(engine):
    turn = engine.handle(advised(engine), Command("cancel"), NOW)
    assert turn.state.step == "ask_situation" and turn.state.pronoun == "he"


def test_forget_asks_then_erases(engine):
    state = advised(engine)
    ask = engine.handle(state, Command("forget"), NOW)
    assert ask.state == state and all_buttons(ask) == ["fg:yes", "fg:no"]
    keep = engine.handle(state, Press("fg:no"), NOW)
    assert keep.effects == () and keep.state == state
    erase = engine.handle(state, Press("fg:yes"), NOW)
    assert erase.effects == (EraseData(),) and erase.state == UserState()


def test_mydata_asks_for_an_export(engine):
    turn = engine.handle(advised(engine), Command("mydata"), NOW)
    assert turn.effects == (ExportData(),)


def test_unknown_commands_and_media_get_kind_answers_in_every_step(engine):
    for state in states(engine):
        unknown = engine.handle(state, Command("dance"), NOW)
        assert "/help" in unknown.replies[0].text and unknown.state == state
        media = engine.handle(state, Unsupported("sticker"), NOW)
        assert media.replies


def test_every_button_the_engine_shows_is_one_it_understands(engine, content):
    """Walk every step, press every button shown: none is treated as stale or forged."""
    frontier = states(engine)
    seen: set[tuple[str, str]] = set()
    for _ in range(4):
        next_frontier = []
        for state in frontier:
            for data in all_buttons(engine.handle(state, Command("start"), NOW)) + all_buttons(
                engine.handle(state, Command("principles"), NOW)
            ):
                if (data, state.step) in seen:
                    continue
                seen.add((data, state.step))
                assert data.partition(":")[0] in BUTTON_KINDS
                turn = engine.handle(state, Press(data), NOW)
                assert turn.toast is None, (state.step, data)
                next_frontier.append(turn.state)
        frontier = next_frontier


@settings(max_examples=300, deadline=None)
@given(
    step=st.sampled_from(STEPS),
    data=st.text(max_size=80),
    text=st.text(max_size=300),
)
def test_any_input_in_any_state_gives_a_reply_and_a_valid_state(engine, step, data, text):
    state = UserState(step=step, pronoun="they")
    if step == "advised":
        state = advised(engine)
    for event in (Press(data), Text(text), Command(text[:10].lower())):
        turn = engine.handle(state, event, NOW)
        assert turn.state.step in STEPS
        assert turn.replies or turn.effects
