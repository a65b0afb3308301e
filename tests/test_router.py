"""The router: what kind of message it is and which principle fits, on writers it never saw."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content.labelled import INTENTS, load_routing
from bot.content.loader import PRINCIPLES, default_content_dir
from bot.understanding.evaluation import router_figures, unseen
from bot.understanding.models import build_router
from bot.understanding.router import Router, normalise

HELD_OUT = Path(__file__).parent / "data" / "heldout"


@pytest.fixture(scope="module")
def router(content) -> Router:
    return build_router(content, default_content_dir())


def test_normalise_folds_case_accents_apostrophes_and_punctuation():
    assert normalise("He DOESN'T talk… café!!") == ["he", "doesnt", "talk", "cafe"]


@pytest.mark.parametrize(
    ("text", "principle"),
    [
        ("he said he needs space and went quiet", "independence"),
        ("I cant stop texting him and checking his last seen", "codependency"),
        ("i do everything, its so one sided and unfair", "balance"),
        ("im scared shes losing interest and going to leave me", "trust"),
        ("the spark is gone, everything feels boring and routine", "desire"),
        ("what do i do with myself while i wait, i feel so lost", "growth"),
        # as people type: no capitals, no punctuation, slang, typos
        ("bf went mia n wont tlk to me", "independence"),
        ("i keep txting her n she leavs me on read", "codependency"),
        ("THEY NEVER PLAN ANYTHING ITS ALWAYS ME", "balance"),
        ("lowkey think hes cheating ngl", "trust"),
        ("no chemistry no romance just vibes of roommates", "desire"),
        ("i wanna find hobbies n stuff for me", "growth"),
    ],
)
def test_messages_route_to_the_principle_that_fits(router, text, principle):
    routing = router.route(text)
    assert (routing.intent, routing.principle) == ("situation", principle)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("he told me he wants to break up", "breakup"),
        ("she ended it last night, said she's done", "breakup"),
        ("i found out he's been texting his ex behind my back for months", "infidelity"),
        ("she admitted she slept with someone else", "infidelity"),
        ("should i break up with them?", "decision"),
        ("do i text him or wait? yes or no", "decision"),
        ("thank u", "thanks"),
        ("Ok. Thanks.", "thanks"),
        ("This isn't helping.", "frustration"),
        ("you dont get it at all", "frustration"),
        ("What will the nudge actually say?", "about_bot"),
        ("are you a real person?", "about_bot"),
        ("we had a fight", "unclear"),
    ],
)
def test_messages_that_are_not_a_situation_get_their_own_intent(router, text, intent):
    routing = router.route(text)
    assert routing.intent == intent
    assert routing.principle is None and not routing.confident


def test_a_message_with_two_issues_puts_the_second_next(router):
    routing = router.route("he asked for space and now i cant stop texting him all day")
    assert set(routing.ranking[:2]) == {"independence", "codependency"}
    assert routing.second == routing.ranking[1]


def test_a_message_with_one_issue_names_no_second(router):
    for text in ("he went quiet this week", "i keep checking her last seen every five minutes"):
        assert router.route(text).second is None, text


def test_no_known_word_means_nothing_to_go_on(router):
    for text in ("", "???", "asdfgh qwerty", "🙂🙂"):
        routing = router.route(text)
        assert routing.intent == "unclear" and routing.principle is None, text


def test_held_out_writers(router):
    """Floors under the figures on writers never trained or tuned on (bench/understanding.py
    prints the full report). They hold the model to what it measured when it was trained; the
    issue's targets (top-1 90%) are printed by the bench, not promised here."""
    trained = [e.text for e in load_routing(default_content_dir() / "labelled" / "routing")]
    figures = router_figures(router, unseen(load_routing(HELD_OUT / "routing"), trained))
    overall = figures["all"]
    assert set(figures) >= {"marco", "mel", "all"}
    assert overall.situations >= 400
    assert overall.intent_accuracy >= 0.93
    assert overall.top1 >= 0.79
    assert overall.ask_rate <= 0.15
    for intent in INTENTS:
        assert overall.recall("intents", intent) >= 0.70, intent


def test_held_out_writers_share_only_a_few_short_messages_with_training():
    """Independent writers do write "who made you?" alike; those are left out of the figures."""
    trained = [e.text for e in load_routing(default_content_dir() / "labelled" / "routing")]
    held = load_routing(HELD_OUT / "routing")
    fresh = {id(e) for e in unseen(held, trained)}
    shared = [e.text for e in held if id(e) not in fresh]
    assert len(shared) <= 0.05 * len(held)
    assert all(len(text.split()) <= 15 for text in shared)


@given(st.text(max_size=2000))
def test_any_text_gets_a_known_intent_and_bounded_confidence(router, text):
    routing = router.route(text)
    assert routing.intent in INTENTS
    assert 0.0 <= routing.confidence <= 1.0
    assert set(routing.ranking) <= set(PRINCIPLES)
    assert bool(routing.ranking) == (routing.intent == "situation")
    sure = routing.confidence >= router.threshold or routing.second is not None
    assert routing.confident == (sure and bool(routing.ranking))
    assert routing.second is None or routing.second == routing.ranking[1]
