"""Content: every text renders for every pronoun, within Telegram's limits, as valid Telegram HTML."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.content.html import parse_html, utf16_len
from bot.content.labelled import load_risk, load_routing, training_data_hash
from bot.content.loader import PRINCIPLES, Content, ContentError, default_content_dir, load_content
from bot.content.pronouns import PRONOUNS, render
from bot.engine import Command, Press, Reply, Text, UserState
from bot.engine.model import NudgePrefs
from bot.engine.nudge_views import NudgeViews
from bot.engine.safety_views import PLAN_SECTION_MAX, SafetyViews
from bot.engine.views import Views
from bot.storage.ops import Stats
from bot.understanding.linear import LinearModel
from bot.understanding.models import build_router, build_screen
from handlers.admin import render_stats
from tests.conftest import make_engine


def nudge_replies(content: Content, pronoun: str):
    """Every daily-nudge message: the opt-in flow, each status, and every nudge in the pool."""
    nudges = NudgeViews(content, pronoun)
    now = datetime(2026, 11, 25, tzinfo=UTC)
    yield nudges.offer()
    yield nudges.offer(after_advice=True)
    yield nudges.ask_time()
    yield nudges.ask_time(content.nudges.time_unknown)
    yield nudges.ask_zone()
    yield nudges.ask_zone(content.nudges.zone_unknown)
    yield nudges.choose_zone(["America/Argentina/ComodRivadavia", "America/North_Dakota/New_Salem"])
    on = NudgePrefs(enabled=True, at="23:59", zone="America/North_Dakota/New_Salem", next_due=now)
    yield nudges.status(on, now, content.nudges.turned_on)
    yield nudges.status(replace(on, paused_until=now + timedelta(days=7)), now)
    yield nudges.status(NudgePrefs(off_reason="blocked"), now)
    for index, key in enumerate(PRINCIPLES):
        for variant in range(len(getattr(content.nudges.pool, key))):
            yield nudges.nudge(index, variant)[1]


def first_cards(content: Content, pronoun: str):
    """Every advice card as it first appears: each tip version, message and second issue."""
    views = Views(content, pronoun)
    for key in (*PRINCIPLES, "communication"):
        topic = content.topic(key)
        extra = content.listening[key].tip if key in content.listening else ()
        others = [p for p in PRINCIPLES if p != key]
        for tip in (topic.tip, *extra):
            for draft in range(len(topic.drafts)):
                for also in (None, others[draft % len(others)]):
                    yield views.advice(key, 99_999_999, tip, draft, also, closing=True)


def every_reply(content: Content, pronoun: str):
    views = Views(content, pronoun)
    yield views.welcome()
    yield views.pronoun_question()
    yield views.pronoun_question(content.texts.pronoun_again)
    yield views.situation_menu()
    yield views.principles_list()
    yield views.settings()
    yield views.forget_question()
    yield views.last_angle()
    yield views.clarify(list(PRINCIPLES))
    for helpful in (True, False):
        yield views.after_feedback(helpful, 99_999_999)
    for key in content.topics:
        yield views.principle_detail(key)
        for draft in range(len(content.topic(key).drafts)):
            yield views.draft(key, 99_999_999, draft)
    yield from first_cards(content, pronoun)
    for key in PRINCIPLES:
        for why in (content.topic(key).why, *content.listening[key].why):
            yield views.why(why, 99_999_999)
    for situation in content.situations:
        yield views.why(situation.why, 1)
    yield from nudge_replies(content, pronoun)
    stats = Stats(10**9, 10**9, 10**9, dict.fromkeys(PRINCIPLES, 10**9), 6 * 10**9, 10**9, 10**9)
    yield Reply(render_stats(stats, content.texts))
    for name in type(content.texts).model_fields:
        yield views.plain(getattr(content.texts, name))
    longest_plan = {s.key: "&<" * (PLAN_SECTION_MAX // 2) for s in content.safety.plan_sections}
    for country in content.helplines:
        safety = SafetyViews(content, country)
        yield safety.hit("crisis")
        yield safety.hit("abuse")
        yield from safety.sos(longest_plan)
        yield safety.plan_readback(longest_plan, saved=True)
        for step in range(len(content.safety.grounding)):
            yield safety.grounding(step)
        for section in range(len(content.safety.plan_sections)):
            yield safety.plan_prompt(section, intro=True, danger=True)


@pytest.mark.parametrize("pronoun", PRONOUNS)
def test_every_reply_fits_telegram(content, pronoun):
    count = 0
    for reply in every_reply(content, pronoun):
        count += 1
        text, _ = parse_html(reply.text)  # raises like Telegram on malformed HTML
        assert 1 <= utf16_len(text) <= 4096
        assert "{" not in text and "}" not in text, text
        for row in reply.buttons:
            for button in row:
                assert button.label.strip() and len(button.label) <= 64
                assert 1 <= len(button.data.encode()) <= 64
    assert count > 50


@pytest.mark.parametrize("pronoun", PRONOUNS)
def test_pronouns_read_naturally(content, pronoun):
    label = render(content.situation("asked_space").label, pronoun)  # type: ignore[union-attr]
    assert (
        label
        == {
            "he": "He said he needs space",
            "she": "She said she needs space",
            "they": "They said they need space",
        }[pronoun]
    )


def test_command_descriptions_fit_the_menu(content):
    from bot.engine import COMMANDS

    for name in COMMANDS:
        description = render(getattr(content.texts, f"command_{name}"), None)
        assert 1 <= len(description) <= 256


def test_the_engine_never_renders_a_reply_telegram_would_refuse(content):
    engine = make_engine(content)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    state = UserState()
    script = [Command("start"), Press("pr:they"), Text("he went quiet"), Press("say:1")]
    for event in script:
        turn = engine.handle(state, event, now)
        state = turn.state
        for reply in turn.replies:
            parse_html(reply.text)


@pytest.fixture
def broken_dir(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(default_content_dir(), target)
    return target


def test_a_missing_field_fails_start_up_naming_file_and_field(broken_dir):
    path = broken_dir / "texts.toml"
    path.write_text(path.read_text().replace("welcome_back =", "welcome_backk ="))
    with pytest.raises(ContentError) as error:
        load_content(broken_dir)
    assert "texts.toml" in str(error.value) and "texts.welcome_back" in str(error.value)


def test_an_unknown_placeholder_fails_start_up(broken_dir):
    path = broken_dir / "principles.toml"
    path.write_text(path.read_text().replace("Room to be {themself}", "Room to be {himself}"))
    with pytest.raises(ContentError) as error:
        load_content(broken_dir)
    assert "principles.toml" in str(error.value) and "{himself}" in str(error.value)


def test_malformed_html_fails_start_up(broken_dir):
    path = broken_dir / "texts.toml"
    path.write_text(path.read_text().replace("<b>What's happening?</b>", "<b>What's happening?"))
    with pytest.raises(ContentError) as error:
        load_content(broken_dir)
    assert "texts.toml" in str(error.value) and "ask_situation" in str(error.value)


def test_bad_toml_and_missing_files_fail_clearly(broken_dir):
    (broken_dir / "cues.toml").write_text("phrases = [")
    with pytest.raises(ContentError, match=r"cues\.toml is not valid TOML"):
        load_content(broken_dir)
    (broken_dir / "cues.toml").unlink()
    with pytest.raises(ContentError, match=r"cues\.toml is missing"):
        load_content(broken_dir)


def test_a_broken_training_message_names_the_file_line_and_field(broken_dir):
    path = broken_dir / "labelled" / "routing" / "kayla.tsv"
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("situation\ttrust"))
    lines[index] = lines[index].replace("trust", "trusst", 1)
    path.write_text("\n".join(lines))
    with pytest.raises(ContentError) as error:
        load_routing(path.parent)
    message = str(error.value)
    assert "kayla.tsv" in message and f"line {index + 1}" in message
    assert "field principle" in message
    path.write_text("\n".join([*lines[:index], "situation\tonly two columns"]))
    with pytest.raises(ContentError, match=r"expected 4 tab-separated columns"):
        load_routing(path.parent)
    risk = broken_dir / "labelled" / "risk" / "dave.tsv"
    risk.write_text(risk.read_text() + "danger\tsomething\n")
    with pytest.raises(ContentError, match=r"dave\.tsv: line \d+: field label"):
        load_risk(risk.parent)


def test_a_repeated_training_message_is_refused(broken_dir):
    path = broken_dir / "labelled" / "routing" / "ruth.tsv"
    path.write_text(path.read_text() + "situation\ttrust\t\tim scared shes going to leave me\n" * 2)
    with pytest.raises(ContentError, match=r"the same message is on line"):
        load_routing(path.parent)


@pytest.mark.parametrize("model", ["router", "risk"])
def test_a_damaged_or_missing_model_fails_start_up_naming_the_file(broken_dir, model):
    content = load_content(broken_dir)
    build = build_router if model == "router" else build_screen
    path = broken_dir / "models" / f"{model}.model"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ContentError, match=rf"model file .*{model}\.model: "):
        build(content, broken_dir)
    path.unlink()
    with pytest.raises(ContentError, match=rf"{model}\.model: cannot be read"):
        build(content, broken_dir)


@pytest.mark.parametrize("model", ["router", "risk"])
def test_the_models_were_trained_on_the_data_as_it_is(model):
    """Edit a labelled message, a cue phrase or a safety pattern and this fails until the models
    are rebuilt: `uv run python tools/train_models.py`."""
    header = LinearModel.load(default_content_dir() / "models" / f"{model}.model").header
    assert header["data_sha256"] == training_data_hash(default_content_dir(), model)


@pytest.mark.parametrize("pronoun", PRONOUNS)
def test_every_first_card_fits_one_phone_screen(content, pronoun):
    """At most about 500 characters of text and three buttons; why it helps is a tap away."""
    longest = 0
    for card in first_cards(content, pronoun):
        length = utf16_len(parse_html(card.text)[0])
        longest = max(longest, length)
        assert length <= 510, card.text
        assert sum(len(row) for row in card.buttons) <= 3
    assert longest > 300, "the check looked at real cards"
