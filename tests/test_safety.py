"""Safety first: the screen's measured recall and false alarms, and what a person in danger gets."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.labelled import load_risk, load_routing
from bot.content.loader import default_content_dir, load_content
from bot.content.safety import SafetyPatterns
from bot.engine import Command, Press, Text, UserState
from bot.engine.model import STEPS, AdviceGiven, NudgePrefs, SafetyHit, SavePlanSection
from bot.engine.safety_views import PLAN_SECTION_MAX
from bot.understanding.evaluation import safety_figures, unseen
from bot.understanding.models import build_screen
from bot.understanding.router import normalise
from bot.understanding.screen import CUT, RISKS, SafetyScreen, first_chars
from tests.conftest import make_engine

NOW = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)
LABELLED = default_content_dir() / "labelled"
HELD_OUT = Path(__file__).parent / "data" / "heldout"


@pytest.fixture(scope="module")
def screen(content) -> SafetyScreen:
    return build_screen(content, default_content_dir())


def test_held_out_writers(screen, capsys):
    """Floors under the screen's figures on writers never trained or tuned on (the full tables:
    ``bench/understanding.py``). Every crisis or abuse message should at least be asked about."""
    trained = [e.text for e in load_risk(LABELLED / "risk") + load_routing(LABELLED / "routing")]
    risk = unseen(load_risk(HELD_OUT / "risk"), trained)
    ordinary = unseen(load_routing(HELD_OUT / "routing"), trained)
    figures = safety_figures(screen, risk, ordinary)["all"]
    with capsys.disabled():
        print("\nsafety screen on held-out writers (rows: truth, columns: verdict)")
        print("           " + "".join(f"{r:>8}" for r in RISKS))
        for label in ("crisis", "abuse", "hard", "ordinary"):
            print(f"{label:>9}  " + "".join(f"{figures.table[(label, v)]:>8}" for v in RISKS))
    assert figures.total("crisis") >= 100 and figures.total("abuse") >= 100
    assert figures.caught >= 0.97
    assert figures.exact >= 0.80
    assert figures.share("ordinary", ("crisis", "abuse")) <= 0.02
    assert figures.share("ordinary", ("check",)) <= 0.12
    assert figures.share("hard", ("crisis", "abuse")) <= 0.12


def test_the_patterns_still_catch_everything_they_were_written_for(screen):
    """The first layer alone, on the messages its author wrote beside it: certain hits stay."""
    for example in load_risk(LABELLED / "risk"):
        if example.writer == "original" and example.label != "none":
            risk = "crisis" if example.label == "crisis_now" else example.label
            assert screen.screen(example.text, use_model=False).risk == risk, example.text


@pytest.mark.parametrize(
    "text",
    [
        "this silence is killing me",
        "I'm dying to see him",
        "I could kill him for forgetting lol",
        "he shot down my idea",
        "he has never hit me",
        'she said "you\'re killing me" and laughed',
    ],
)
def test_everyday_hyperbole_negations_and_quotes_do_not_trip_it(screen, text):
    assert screen.screen(text).risk == "none"


def test_a_pattern_in_a_film_or_an_idiom_is_asked_about_not_alarmed(screen):
    """The patterns' words where the trained model is sure it is ordinary: the check question."""
    for text in (
        "watched a film where the guy strangles his wife and had to turn it off",
        "my dad said hes gonna murder me if i fail another math test",
    ):
        assert screen.screen(text, use_model=False).hit, text
        assert screen.screen(text).risk == "check", text
    for text in ("i want to kill myself", "he hit me last night", "he choked me"):
        assert screen.screen(text).hit, text


def test_invisible_characters_do_not_hide_a_crisis(screen):
    assert screen.screen("i want to k\u200bill my\u200dself").risk == "crisis"
    assert screen.screen("HE HIT ME!!!").risk == "abuse"


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize(
    ("text", "risk"), [("i want to die", "crisis"), ("he choked me last night", "abuse")]
)
def test_a_hit_never_gets_advice_in_any_step(engine, step, text, risk):
    state = UserState(step=step, pronoun="he", data={"section": 0} if step == "plan" else {})
    turn = engine.handle(state, Text(text), NOW)
    assert not any(isinstance(effect, AdviceGiven) for effect in turn.effects)
    assert SafetyHit(risk) in turn.effects
    reply = "\n".join(r.text for r in turn.replies)
    assert "space" not in reply.lower()
    assert not any(topic.tip in reply for topic in engine.content.topics.values())
    assert "findahelpline.com" in reply or "emergency" in reply


def test_the_safety_reply_is_human_and_carries_every_kind_of_help(engine):
    turn = engine.handle(UserState(step="advised", pronoun="he"), Text("he hits me"), NOW)
    (reply,) = turn.replies
    assert "not your fault" in reply.text and "deserve to be safe" in reply.text
    assert "emergency number" in reply.text and "findahelpline.com" in reply.text
    assert [b.data for row in reply.buttons for b in row] == ["ap:0", "sos", "safe", "hc"]
    assert turn.state.step == "advised", "the conversation waits for the person"
    crisis = engine.handle(UserState(step="advised", pronoun="he"), Text("i want to die"), NOW)
    assert "glad you told me" in crisis.replies[0].text


def test_country_helplines(content):
    us = make_engine(content, "US")
    text = us.handle(UserState(), Text("i want to kill myself"), NOW).replies[0].text
    assert "911" in text and "988" in text and "1-800-799-7233" in text
    assert "findahelpline.com" in text, "people elsewhere still get a way to help"
    for country, number in {
        "GB": "116 123",
        "CA": "988",
        "AU": "13 11 14",
        "IE": "1800 341 900",
    }.items():
        reply = make_engine(content, country).handle(UserState(), Command("sos"), NOW).replies[0]
        assert number in reply.text, country


def test_safe_button_resumes_where_the_person_was(engine):
    state = UserState(step="ask_situation", pronoun="she")
    turn = engine.handle(state, Press("safe"), NOW)
    assert turn.state == state
    assert "sit:went_quiet" in [b.data for r in turn.replies for row in r.buttons for b in row]
    new_person = engine.handle(UserState(), Press("safe"), NOW)
    assert new_person.state.step == "ask_pronoun"


def test_grounding_walks_five_four_three_two_one(engine):
    state = UserState(step="advised", pronoun="he")
    turn = engine.handle(state, Press("gr:0"), NOW)
    seen = []
    for _ in range(10):
        (reply,) = turn.replies
        seen.append(reply.text)
        nexts = [b.data for row in reply.buttons for b in row if b.data.startswith("gr:")]
        if not nexts:
            break
        turn = engine.handle(state, Press(nexts[0]), NOW)
    joined = "\n".join(seen)
    for phrase in ("five things", "four things", "three things", "two things", "one thing"):
        assert phrase in joined
    assert turn.state == state


def test_safety_plan_is_written_step_by_step_and_read_back(engine, content):
    start = UserState(step="advised", pronoun="he", data={"principle": "trust", "number": 1})
    turn = engine.handle(start, Press("sp"), NOW)
    assert turn.state.step == "plan" and "five parts" in turn.replies[0].text
    answers = ["racing thoughts", "", "my sister ana 555 0100", "the library", "dr lee"]
    state = turn.state
    for answer in answers:
        event = Text(answer) if answer else Press("sp:skip")
        turn = engine.handle(state, event, NOW)
        state = turn.state
    assert state.step == "advised" and state.data["principle"] == "trust", "back where we were"
    assert state.plan == {
        "warning_signs": "racing thoughts",
        "people": "my sister ana 555 0100",
        "places": "the library",
        "professionals": "dr lee",
    }
    readback = turn.replies[-1].text
    assert "Warning signs" in readback and "my sister ana" in readback
    assert "Things that calm me" not in readback, "a skipped section is not shown"
    sos = engine.handle(state, Command("sos"), NOW)
    assert any("racing thoughts" in reply.text for reply in sos.replies)


def test_plan_sections_are_trimmed_escaped_and_still_screened(engine):
    state = engine.handle(UserState(step="ask_situation", pronoun="he"), Press("sp"), NOW).state
    long_text = "<b>" + "x" * 900
    turn = engine.handle(state, Text(long_text), NOW)
    (saved,) = [e for e in turn.effects if isinstance(e, SavePlanSection)]
    assert len(saved.text) == PLAN_SECTION_MAX
    assert "first 600 characters" in turn.replies[0].text
    danger = engine.handle(turn.state, Text("when i want to kill myself"), NOW)
    assert SafetyHit("crisis") in danger.effects
    assert "in danger right now" in danger.replies[-1].text
    assert danger.state.step == "plan", "the plan goes on; the emergency number is right there"


def test_cancel_leaves_the_plan_and_returns(engine):
    state = engine.handle(UserState(step="ask_situation", pronoun="he"), Press("sp"), NOW).state
    turn = engine.handle(state, Command("cancel"), NOW)
    assert turn.state.step == "ask_situation"


def test_first_chars_of_patterns():
    assert first_chars("(hit|hits|slap) me") == frozenset("hs")
    assert first_chars("(ever |once )*(hit|punch)") == frozenset("eohp")
    assert first_chars("(a )?(b|c)d") == frozenset("abc")
    assert first_chars("[x-z]+y") == frozenset("xyz")
    assert first_chars("\\bkms") == frozenset("k")
    assert first_chars("suicid\\w*") == frozenset("s")
    for open_ended in ("\\w+ me", ".ab", "[^a]b", "(?i:a)b", "(a)?", "a*"):
        assert first_chars(open_ended) is None, open_ended


def _plain_screen(patterns: SafetyPatterns) -> Callable[[str], str]:
    """The screen as it was before the look-ahead guards: the reference they must agree with."""

    def plain(names: tuple[str, ...]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:\\b{p}\\b)" for p in names))

    ignore, crisis, abuse = plain(patterns.ignore), plain(patterns.crisis), plain(patterns.abuse)
    urgent = plain(patterns.urgent)

    def risk(text: str) -> str:
        cleaned = ignore.sub(f" {CUT} ", " ".join(normalise(text)))
        if crisis.search(cleaned) or urgent.search(cleaned):
            return "crisis"
        return "abuse" if abuse.search(cleaned) else "none"

    return risk


def test_the_guarded_screen_matches_exactly_what_the_plain_patterns_match(content, screen):
    reference = _plain_screen(content.safety_patterns)
    texts = [e.text for e in load_risk(LABELLED / "risk") + load_routing(LABELLED / "routing")]
    verdicts = Counter()
    for text in texts:
        verdicts[reference(text)] += 1
        assert screen.screen(text, use_model=False).risk == reference(text), text
    assert min(verdicts.values()) >= 50  # all three verdicts were exercised


_PATTERNS = load_content().safety_patterns
_WORDS = sorted({w for p in _PATTERNS.crisis + _PATTERNS.abuse for w in re.findall("[a-z]+", p)})
_REFERENCE = _plain_screen(_PATTERNS)
_GUARDED = SafetyScreen(_PATTERNS)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*_WORDS, "he", "she", "me", "my", "not", "never"]), max_size=14))
def test_the_guarded_screen_agrees_on_word_salads_of_pattern_words(words):
    text = " ".join(words)
    assert _GUARDED.screen(text, use_model=False).risk == _REFERENCE(text)


def test_help_lines_follow_the_persons_country(content):
    """From the time zone they gave for nudges, or asked once; the operator's country otherwise."""
    engine = make_engine(content, "INTL")
    chicago = NudgePrefs(enabled=True, at="08:00", zone="America/Chicago")
    turn = engine.handle(
        UserState(step="advised", pronoun="he", nudges=chicago), Text("he hits me"), NOW
    )
    (reply,) = turn.replies
    assert "988" in reply.text and "1-800-799-7233" in reply.text and "911" in reply.text
    assert "hc" not in [b.data for row in reply.buttons for b in row], "already known"

    state = UserState(step="advised", pronoun="she")
    unknown = engine.handle(state, Text("she hits me"), NOW)
    assert "1-800-799-7233" not in unknown.replies[0].text
    asked = engine.handle(unknown.state, Press("hc"), NOW)
    assert [b.data for row in asked.replies[0].buttons for b in row] == [
        "hc:US",
        "hc:GB",
        "hc:CA",
        "hc:AU",
        "hc:IE",
        "hc:INTL",
    ]
    chosen = engine.handle(unknown.state, Press("hc:GB"), NOW)
    assert "999" in chosen.replies[0].text and chosen.state.memory["country"] == "GB"
    again = engine.handle(chosen.state, Text("she hits me"), NOW)
    assert "999" in again.replies[0].text
    assert "hc" not in [b.data for row in again.replies[0].buttons for b in row], "asked once"
    sos = engine.handle(chosen.state, Command("sos"), NOW)
    assert "999" in sos.replies[0].text
