"""Content models for safety: the screen's patterns, helplines, and the /sos texts."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator

from bot.content.base import StrictModel, Text


class SafetyPatterns(StrictModel):
    """Regular expressions of the safety screen (see :mod:`bot.understanding.screen`)."""

    ignore: tuple[str, ...]
    crisis: Annotated[tuple[str, ...], Field(min_length=5)]
    abuse: Annotated[tuple[str, ...], Field(min_length=5)]
    urgent: Annotated[tuple[str, ...], Field(min_length=3)]  # an act under way: call now

    @field_validator("ignore", "crisis", "abuse", "urgent")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for index, pattern in enumerate(patterns):
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(
                    f"pattern {index} ({pattern!r}) is not a valid regex: {error}"
                ) from None
        return patterns


class Helpline(StrictModel):
    kind: Literal["crisis", "abuse"]
    name: Text
    how: Text


class HelplineCountry(StrictModel):
    name: Text
    emergency: Text
    lines: Annotated[tuple[Helpline, ...], Field(min_length=1)]


class PlanSection(StrictModel):
    key: Annotated[str, Field(pattern=r"^[a-z_]{1,24}$")]
    label: Text
    prompt: Text


class SafetyButtons(StrictModel):
    more_help: Text
    safe_now: Text
    grounding: Text
    plan_write: Text
    plan_update: Text
    plan_skip: Text
    next: Text
    okay_now: Text
    check_self: Text
    check_hurt: Text
    check_safe: Text
    abuse_plan: Text
    country: Text
    country_other: Text


class SafetyTexts(StrictModel):
    crisis_reply: Text
    abuse_reply: Text
    after_help: Text
    help_heading: Text
    emergency_label: Text
    elsewhere_label: Text
    sos_intro: Text
    safe_continue: Text
    urgent_first: Text  # an act under way: before the emergency number
    urgent_after: Text  # ... and after it
    check_question: Text  # a real but uncertain signal: ask before any advice
    check_thanks: Text  # "No, I'm safe, go on": before the advice the message would have had
    country_question: Text  # asked once, so the help lines are the person's own country's
    grounding: Annotated[tuple[Text, ...], Field(min_length=3, max_length=9)]
    plan_intro: Text
    plan_saved: Text
    plan_heading: Text
    plan_trimmed: Text
    plan_danger: Text
    plan_sections: Annotated[tuple[PlanSection, ...], Field(min_length=1, max_length=9)]
    buttons: SafetyButtons
