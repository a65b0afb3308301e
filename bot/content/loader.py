"""Every text the bot says, loaded from ``content/*.toml`` and validated at start-up.

Texts may use pronoun placeholders (see :mod:`bot.content.pronouns`), so one text serves he / she / they.
A text that uses an unknown placeholder, or that Telegram's HTML parser would refuse, fails start-up
with a message naming the file and the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.content.base import (
    CLOSING_IDEA,
    PRINCIPLES,
    ContentError,
    PrincipleKey,
    StrictModel,
    Text,
    TopicKey,
)
from bot.content.listening import AbuseAware, AbusePlan, IntentTexts, Versions
from bot.content.nudges import NudgeTexts
from bot.content.pronouns import PRONOUNS, render
from bot.content.safety import HelplineCountry, SafetyPatterns, SafetyTexts

__all__ = ["CLOSING_IDEA", "PRINCIPLES", "ContentError", "PrincipleKey", "TopicKey"]


class Draft(StrictModel):
    tone: Annotated[str, Field(min_length=1, max_length=40)]
    text: Text


class Topic(StrictModel):
    """A principle (or the closing idea): what it is, why it helps, a tip, drafts to send."""

    emoji: Annotated[str, Field(min_length=1, max_length=8)]
    name: Text
    short: Annotated[str, Field(min_length=1, max_length=48)]  # a button label
    summary: Text
    why: Text
    tip: Text
    reflection: Text
    drafts: Annotated[tuple[Draft, ...], Field(min_length=3)]


class Situation(StrictModel):
    """A common situation, offered as a button under "What's happening?"."""

    key: Annotated[str, Field(pattern=r"^[a-z_]{1,20}$")]
    label: Annotated[str, Field(min_length=1, max_length=48)]
    principle: PrincipleKey
    why: Text


class Buttons(StrictModel):
    pronoun_he: Text
    pronoun_she: Text
    pronoun_they: Text
    say_it: Text
    why: Text
    another_angle: Text
    helps: Text
    not_quite: Text
    start_over: Text
    own_words: Text
    none_of_these: Text
    browse: Text
    back: Text
    forget_confirm: Text
    forget_keep: Text


class Texts(StrictModel):
    welcome: Text
    welcome_back: Text
    ask_pronoun: Text
    pronoun_again: Text
    pronoun_set: Text
    ask_situation: Text
    describe: Text
    tell_me_more: Text
    clarify: Text
    advice_why_heading: Text
    advice_tip_heading: Text
    advice_send_heading: Text
    advice_closing: Text
    advice_also: Text
    say_face_to_face: Text
    say_after_fight: Text
    another_draft: Text
    last_angle: Text
    thanks_helpful: Text
    thanks_not_quite: Text
    principles_intro: Text
    principle_reflection_heading: Text
    settings: Text
    help: Text
    cancel: Text
    unknown_command: Text
    unsupported: Text
    group_notice: Text
    stale_button: Text
    error: Text
    slow_down: Text
    forget_ask: Text
    forget_done: Text
    forget_kept: Text
    mydata_caption: Text
    mydata_empty: Text
    command_start: Text
    command_principles: Text
    command_settings: Text
    command_nudges: Text
    command_help: Text
    command_cancel: Text
    command_sos: Text
    command_mydata: Text
    command_forget: Text
    stats_title: Text
    stats_people: Text
    stats_active_week: Text
    stats_nudges_on: Text
    stats_advice: Text
    stats_feedback: Text


class Cues(StrictModel):
    """Phrases that point free text to a principle, learned with the router's labelled data."""

    phrases: Mapping[PrincipleKey, Annotated[tuple[str, ...], Field(min_length=5)]]


class Content(BaseModel):
    model_config = ConfigDict(frozen=True)

    texts: Texts
    buttons: Buttons
    topics: Mapping[TopicKey, Topic]
    situations: tuple[Situation, ...]
    cues: Cues
    safety: SafetyTexts
    safety_patterns: SafetyPatterns
    helplines: Mapping[Annotated[str, Field(pattern=r"^([A-Z]{2}|INTL)$")], HelplineCountry]
    nudges: NudgeTexts
    intents: IntentTexts
    listening: Versions
    abuse_aware: AbuseAware
    abuse_plan: AbusePlan

    def topic(self, key: str) -> Topic:
        return self.topics[key]  # type: ignore[index]

    def situation(self, key: str) -> Situation | None:
        return next((s for s in self.situations if s.key == key), None)


_FILES = {
    "texts": ("texts.toml", "texts"),
    "buttons": ("texts.toml", "buttons"),
    "topics": ("principles.toml", "principles"),
    "situations": ("situations.toml", "situations"),
    "cues": ("cues.toml", "cues"),
    "safety": ("safety.toml", "safety"),
    "safety_patterns": ("safety_patterns.toml", "safety_patterns"),
    "helplines": ("helplines.toml", "helplines"),
    "nudges": ("nudges.toml", "nudges"),
    "intents": ("listening.toml", "intents"),
    "listening": ("listening.toml", "listening"),
    "abuse_aware": ("listening.toml", "abuse_aware"),
    "abuse_plan": ("listening.toml", "abuse_plan"),
}


def default_content_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "content"


def load_content(directory: Path | None = None) -> Content:
    """Read and validate every content file; raise :class:`ContentError` naming file and field."""
    directory = directory or default_content_dir()
    raw: dict[str, object] = {}
    parsed: dict[str, dict[str, object]] = {}  # several fields come from one file: read it once
    for field, (filename, table) in _FILES.items():
        path = directory / filename
        if filename not in parsed:
            try:
                parsed[filename] = tomllib.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError as error:
                raise ContentError(f"content file {path} is missing") from error
            except tomllib.TOMLDecodeError as error:
                raise ContentError(f"content file {path} is not valid TOML: {error}") from error
        data = parsed[filename]
        if table not in data:
            raise ContentError(f"content file {path}: table [{table}] is missing")
        raw[field] = data[table]
    try:
        content = Content.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        top, *rest = first["loc"]
        filename, table = _FILES[str(top)]
        where = ".".join([table, *(str(part) for part in rest)])
        raise ContentError(
            f"content file {directory / filename}: field {where}: {first['msg']}"
            + (f" ({error.error_count() - 1} more problems)" if error.error_count() > 1 else "")
        ) from error
    _check_completeness(content, directory)
    _check_html(content, directory)
    return content


def _html_fields(content: Content) -> list[tuple[str, str, str]]:
    """(file, field, template) for every text sent as Telegram HTML."""
    fields = [("texts.toml", f"texts.{name}", value) for name, value in content.texts]
    for key, topic in content.topics.items():
        for name in ("name", "summary", "why", "tip", "reflection"):
            fields.append(("principles.toml", f"principles.{key}.{name}", getattr(topic, name)))
    for index, situation in enumerate(content.situations):
        fields.append(("situations.toml", f"situations.{index}.why", situation.why))
    for name, value in content.safety:
        if isinstance(value, str):
            fields.append(("safety.toml", f"safety.{name}", value))
    for index, step in enumerate(content.safety.grounding):
        fields.append(("safety.toml", f"safety.grounding.{index}", step))
    for index, section in enumerate(content.safety.plan_sections):
        fields.append(("safety.toml", f"safety.plan_sections.{index}.prompt", section.prompt))
    for name, value in content.nudges:
        if isinstance(value, str):
            fields.append(("nudges.toml", f"nudges.{name}", value))
    for principle, pool in content.nudges.pool:
        for index, text in enumerate(pool):
            fields.append(("nudges.toml", f"nudges.pool.{principle}.{index}", text))
    return fields


def _check_html(content: Content, directory: Path) -> None:
    # The emulator shares this parser: one place knows Telegram's HTML rules.
    from bot.content.html import HtmlParseError, parse_html

    for filename, where, template in _html_fields(content):
        for pronoun in PRONOUNS:
            try:
                parse_html(render(template, pronoun))
            except HtmlParseError as error:
                raise ContentError(
                    f"content file {directory / filename}: field {where}: Telegram would refuse "
                    f"this HTML: {error}"
                ) from None


def _check_completeness(content: Content, directory: Path) -> None:
    missing = [key for key in (*PRINCIPLES, CLOSING_IDEA) if key not in content.topics]
    if missing:
        raise ContentError(f"content file {directory / 'principles.toml'}: missing {missing}")
    covered = {s.principle for s in content.situations}
    uncovered = [key for key in PRINCIPLES if key not in covered]
    if uncovered:
        raise ContentError(
            f"content file {directory / 'situations.toml'}: no situation for {uncovered}"
        )
    if "INTL" not in content.helplines:
        raise ContentError(
            f"content file {directory / 'helplines.toml'}: [helplines.INTL] is missing"
        )
    keys = [s.key for s in content.situations]
    if len(keys) != len(set(keys)):
        raise ContentError(f"content file {directory / 'situations.toml'}: duplicate keys")
