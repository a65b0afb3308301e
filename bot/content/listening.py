"""Content models for a conversation that listens (content/listening.toml).

Answers for messages that are not a situation the six ideas address (a break-up, infidelity, a
decision, thanks, frustration, questions about the bot), more versions of each principle so that
coming back to one says something new, what to say face to face and after a fight, and what the
bot says instead of advice once a person has disclosed abuse, with its safety plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import Field

from bot.content.base import PrincipleKey, StrictModel

# Lengths in characters: the first answer has to fit a phone screen.
Label = Annotated[str, Field(min_length=1, max_length=40)]
Short = Annotated[str, Field(min_length=1, max_length=300)]
Medium = Annotated[str, Field(min_length=1, max_length=500)]
Long = Annotated[str, Field(min_length=1, max_length=800)]
Page = Annotated[str, Field(min_length=1, max_length=1000)]


class IntentButtons(StrictModel):
    sos: Label
    menu: Label
    principles: Label
    missing: Label


class IntentTexts(StrictModel):
    breakup: Long
    infidelity: Long
    decision: Long
    thanks: Annotated[tuple[Short, ...], Field(min_length=2)]
    frustration: Medium
    correction: Short
    about_bot: Page
    about_bot_nudge_lead: Short
    long_message: Short
    buttons: IntentButtons


class PrincipleVersions(StrictModel):
    """More of one principle: other ways to say why and what to try, and other ways to say it."""

    why: Annotated[tuple[Medium, ...], Field(min_length=2)]
    tip: Annotated[tuple[Short, ...], Field(min_length=2)]
    face_to_face: Short
    after_fight: Short


class AbuseAware(StrictModel):
    advice_instead: Long
    back_button: Label
    back_note: Short


class AbusePlan(StrictModel):
    intro: Long
    steps: Annotated[tuple[Medium, ...], Field(min_length=3, max_length=9)]
    done: Short


Versions = Mapping[PrincipleKey, PrincipleVersions]
