"""The screen's middle tier and its act-under-way tier, as the engine answers them. Pure.

A hand-made risk model makes the verdicts certain here, whatever the trained model says of any
one sentence; the end-to-end tests drive the trained model through the real Application.
"""

from __future__ import annotations

from array import array
from datetime import UTC, datetime

import pytest

from bot.content.loader import Content, default_content_dir
from bot.engine import Engine, Press, Text, UserState
from bot.engine.model import AdviceGiven, SafetyHit
from bot.understanding.linear import Block, LinearModel
from bot.understanding.models import build_router, build_screen
from bot.understanding.screen import SafetyScreen

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CLASSES = ["abuse", "crisis", "crisis_now", "none"]


def tiny_model() -> LinearModel:
    """'murky' leans to crisis at about 0.3 (a check); 'stormy' to abuse at about 0.95."""
    rows = array("f", [-10.0, 5.15, -10.0, 0.0, 9.0, -10.0, -10.0, 0.0])
    word = Block({"murky": 0, "stormy": 1}, array("f", [1.0, 1.0]), rows)
    intercept = [0.0, 0.0, 0.0, 6.0]  # ordinary unless a word says otherwise
    header = {"classes": CLASSES, "intercept": intercept, "check_at": 0.1, "alarm_at": 0.6}
    return LinearModel(header, {"word": word, "char": Block({}, array("f"), array("f"))})


@pytest.fixture(scope="module")
def engine(content: Content) -> Engine:
    screen = SafetyScreen(content.safety_patterns, tiny_model())
    return Engine(content, build_router(content, default_content_dir()), screen, "US")


def test_the_tiers_of_the_screen(content):
    screen = SafetyScreen(content.safety_patterns, tiny_model())
    assert screen.screen("all murky lately").risk == "check"
    assert screen.screen("all murky lately").leaning == "crisis"
    assert screen.screen("so stormy at home").risk == "abuse"
    assert screen.screen("he said he needs space").risk == "none"
    # A pattern hit the model is nearly sure is ordinary is asked about, never let through; this
    # hand-made model knows no word of it, so it is "sure". The trained model: test_safety.py.
    assert screen.screen("i want to kill myself").risk == "check"
    assert screen.screen("i want to kill myself", use_model=False).risk == "crisis"


def test_an_uncertain_signal_is_asked_about_before_any_advice(engine):
    state = UserState(step="ask_situation", pronoun="he")
    turn = engine.handle(state, Text("he went quiet and it's all murky, i keep texting him"), NOW)
    (reply,) = turn.replies
    assert "hurting yourself" in reply.text and "afraid" in reply.text
    assert [b.data for row in reply.buttons for b in row] == ["ck:self", "ck:hurt", "ck:safe"]
    assert SafetyHit("check") in turn.effects
    assert not any(isinstance(e, AdviceGiven) for e in turn.effects)
    assert turn.state.step == "check"
    assert "murky" not in repr(turn.state), "the words are never kept, only the verdict on them"


def test_safe_carries_on_with_the_advice_the_message_would_have_had(engine):
    state = UserState(step="ask_situation", pronoun="he")
    asked = engine.handle(state, Text("he went quiet and it's all murky, i keep texting him"), NOW)
    turn = engine.handle(asked.state, Press("ck:safe"), NOW)
    assert turn.replies[0].text.startswith("Thank you for telling me")
    assert any(isinstance(e, AdviceGiven) for e in turn.effects)
    assert turn.state.step == "advised"
    routed = engine.router.route("he went quiet and it's all murky, i keep texting him")
    assert turn.state.data["principle"] == routed.principle


@pytest.mark.parametrize(
    ("data", "risk", "words"),
    [("ck:self", "crisis", "glad you told me"), ("ck:hurt", "abuse", "not your fault")],
)
def test_an_answer_of_danger_gets_the_safety_reply(engine, data, risk, words):
    state = UserState(step="advised", pronoun="she", data={"principle": "trust", "number": 1})
    asked = engine.handle(state, Text("things are murky"), NOW)
    turn = engine.handle(asked.state, Press(data), NOW)
    (reply,) = turn.replies
    assert words in reply.text and "988" in reply.text and "1-800-799-7233" in reply.text
    assert SafetyHit(risk) in turn.effects
    assert turn.state.step == "advised" and turn.state.data["principle"] == "trust"


def test_a_check_before_the_first_situation_resumes_the_welcome(engine):
    asked = engine.handle(UserState(step="ask_pronoun"), Text("murky"), NOW)
    turn = engine.handle(asked.state, Press("ck:safe"), NOW)
    assert turn.state.step == "ask_pronoun"
    assert any("pr:he" in [b.data for row in r.buttons for b in row] for r in turn.replies)


def test_an_act_under_way_gets_the_emergency_number_first(content):
    engine = Engine(
        content,
        build_router(content, default_content_dir()),
        build_screen(content, default_content_dir()),
        "GB",
    )
    for text in (
        "i just took all my pills",
        "im on the bridge right now",
        "this is my last message",
    ):
        turn = engine.handle(UserState(step="ask_situation", pronoun="he"), Text(text), NOW)
        first = turn.replies[0].text
        assert first.startswith("🚨") and first.index("999") < first.index("glad you told me"), text
        assert SafetyHit("crisis") in turn.effects
    ordinary = engine.handle(
        UserState(step="ask_situation", pronoun="he"), Text("i took my pills this morning"), NOW
    )
    assert not ordinary.replies[0].text.startswith("🚨")
