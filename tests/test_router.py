"""The free-text router: transparent cue scoring, confidence in range, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content import PRINCIPLES
from bot.understanding import Router, normalise


@pytest.fixture(scope="module")
def router(content) -> Router:
    return Router(content.cues)


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
    ],
)
def test_clear_messages_route_confidently(router, text, principle):
    routing = router.route(text)
    assert routing.principle == principle
    assert routing.confident


def test_prefix_cues_match_word_endings(router):
    assert router.scores("he keeps ghosting me")["independence"] > 0
    assert router.scores("I was obsessing")["codependency"] > 0


def test_no_evidence_means_no_principle(router):
    routing = router.route("hello there")
    assert routing.principle is None and routing.confidence == 0 and not routing.confident


@given(st.text(max_size=2000))
def test_any_text_routes_to_a_known_principle_with_bounded_confidence(router, text):
    routing = router.route(text)
    assert 0.0 <= routing.confidence <= 1.0
    assert set(routing.ranking) <= set(PRINCIPLES)
    assert routing.confident == (routing.confidence >= router.threshold and bool(routing.ranking))
