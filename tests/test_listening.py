"""A conversation that listens: intents, corrections, no repeats, safety that stays on. Pure."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from bot.content.pronouns import render
from bot.engine import Press, Text, UserState
from bot.engine.model import AdviceGiven, NudgePrefs, SafetyHit

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def buttons(turn) -> list[str]:
    return [b.data for reply in turn.replies for row in reply.buttons for b in row]


def advised(engine, text: str = "i keep texting him all day and cant stop"):
    turn = engine.handle(UserState(step="ask_situation", pronoun="he"), Text(text), NOW)
    assert turn.state.step == "advised"
    return turn


def test_thanks_gets_a_short_close_not_a_card(engine, content):
    state = advised(engine).state
    for text in ("thank u", "Ok. Thanks.", "lol ok ty i think ill send the last one"):
        turn = engine.handle(state, Text(text), NOW)
        (reply,) = turn.replies
        assert reply.text in {render(t, "he") for t in content.intents.thanks}, text
        assert turn.effects == () and turn.state == state, "the advice's buttons still work"


def test_a_break_up_and_infidelity_never_get_space_advice(engine, content):
    state = UserState(step="ask_situation", pronoun="he")
    for text, answer in [
        ("he told me he wants to break up", content.intents.breakup),
        ("i found out he's been texting his ex behind my back", content.intents.infidelity),
    ]:
        turn = engine.handle(state, Text(text), NOW)
        (reply,) = turn.replies
        assert reply.text == render(answer, "he"), text
        assert not any(isinstance(e, AdviceGiven) for e in turn.effects)
        assert "sos" in buttons(turn) and "restart" in buttons(turn)


def test_a_decision_is_left_with_the_person(engine, content):
    turn = engine.handle(
        UserState(step="advised", pronoun="they"), Text("should i break up with them?"), NOW
    )
    (reply,) = turn.replies
    assert reply.text == render(content.intents.decision, "they")
    assert "1." in reply.text and "3." in reply.text
    assert buttons(turn) == ["pp", "restart"]


def test_frustration_gets_an_apology_and_ways_on(engine, content):
    turn = engine.handle(
        UserState(step="ask_situation", pronoun="she"), Text("This isn't helping."), NOW
    )
    (reply,) = turn.replies
    assert reply.text == render(content.intents.frustration, "she")
    assert buttons(turn) == ["restart", "pp", "own"]


def test_questions_about_the_bot_get_a_real_answer_with_the_persons_next_nudge(engine, content):
    prefs = NudgePrefs(enabled=True, at="08:00", zone="Europe/London", first=2, sent=1)
    state = UserState(step="advised", pronoun="she", nudges=prefs)
    turn = engine.handle(state, Text("What will the nudge actually say?"), NOW)
    answer, preview = turn.replies
    assert answer.text == render(content.intents.about_bot, "she")
    next_nudge = render(content.nudges.pool.trust[0], "she")  # principle (2 + 1) % 6, first text
    assert next_nudge in preview.text and "<blockquote>" in preview.text
    assert turn.state == state


def test_a_correction_is_thanked_and_leads_elsewhere(engine, content):
    first = advised(engine).state
    assert first.data["principle"] == "codependency"
    turn = engine.handle(
        first, Text("but i havent been checking in a lot tho?? i sent him like one msg"), NOW
    )
    thanks, card = turn.replies
    assert thanks.text == render(content.intents.correction, "he")
    assert turn.state.data["principle"] != "codependency"
    assert (
        card.text
        != engine.handle(
            UserState(step="ask_situation", pronoun="he"), Press("sit:keep_texting"), NOW
        )
        .replies[0]
        .text
    )


def test_the_same_card_never_shows_twice_in_a_row(engine):
    state = UserState(step="ask_situation", pronoun="he")
    cards = []
    for _ in range(4):
        turn = engine.handle(state, Press("sit:went_quiet"), NOW)
        cards.append(turn.replies[0].text)
        state = turn.state.moved("ask_situation")
    assert all(a != b for a, b in itertools.pairwise(cards))
    assert len(set(cards[:3])) == 3, "three versions before one comes back"


def test_how_do_i_say_it_offers_face_to_face_and_after_a_fight(engine, content):
    turn = advised(engine)
    card = turn.replies[0].text
    said = engine.handle(turn.state, Press("say:1"), NOW).replies[0].text
    versions = content.listening["codependency"]
    assert render(versions.face_to_face, "he") in said
    first_draft = card.split("<code>")[1].split("</code>")[0]
    assert first_draft not in said, "never the card's own message again"


def test_a_long_message_is_acknowledged_before_any_question(engine, content):
    vague = "so yeah " + "things have been a lot lately and i dont even know where to start " * 6
    turn = engine.handle(UserState(step="ask_situation", pronoun="he"), Text(vague), NOW)
    assert turn.replies[0].text == render(content.intents.long_message, "he")
    assert len(turn.replies) == 2


def test_after_abuse_no_more_space_advice_until_the_person_chooses(engine, content):
    state = UserState(step="ask_situation", pronoun="he")
    hit = engine.handle(state, Text("he hit me last night"), NOW)
    assert SafetyHit("abuse") in hit.effects and hit.state.memory["abuse"] is True
    for event in (
        Text(
            "maybe i overreacted. how do i give him space so he doesnt get stressed and angry again?"
        ),
        Press("sit:went_quiet"),
        Text("i keep texting him all day and cant stop"),
    ):
        turn = engine.handle(hit.state, event, NOW)
        assert not any(isinstance(e, AdviceGiven) for e in turn.effects), event
        assert turn.replies[0].text.startswith(
            render(content.abuse_aware.advice_instead, "he")[:40]
        )
        assert "ab:back" in buttons(turn) and "sos" in buttons(turn)
    back = engine.handle(hit.state, Press("ab:back"), NOW)
    assert "abuse" not in back.state.memory
    advice = engine.handle(back.state, Press("sit:went_quiet"), NOW)
    assert any(isinstance(e, AdviceGiven) for e in advice.effects)


def test_the_safety_plan_for_home_is_read_one_step_at_a_time(engine, content):
    hit = engine.handle(UserState(step="ask_situation", pronoun="she"), Text("she hits me"), NOW)
    assert buttons(hit)[0] == "ap:0"
    turn = engine.handle(hit.state, Press("ap:0"), NOW)
    seen = []
    for _ in range(len(content.abuse_plan.steps) + 2):
        (reply,) = turn.replies
        seen.append(reply.text)
        nexts = [d for d in buttons(turn) if d.startswith("ap:")]
        if not nexts:
            break
        turn = engine.handle(hit.state, Press(nexts[0]), NOW)
    assert len(seen) == len(content.abuse_plan.steps)
    assert "/forget" in seen[0], "the first step says how to hide the chat"
    assert buttons(turn) == ["sos"] and turn.state == hit.state
