"""Content models for daily nudges: the opt-in flow's texts and the pool of nudges."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from bot.content.base import StrictModel, Text

# With six principles taking turns, six texts each keep any one text away for 36 days (> a month).
MIN_NUDGES_PER_PRINCIPLE = 6
Label = Annotated[str, Field(min_length=1, max_length=40)]
_HH_MM = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")  # content sits below the engine's clock parser


class NudgeButtons(StrictModel):
    yes: Label
    not_now: Label
    morning: Label
    midday: Label
    evening: Label
    change_time: Label
    change_zone: Label
    pause: Label
    resume: Label
    stop: Label
    tell_more: Label
    menu: Label


class NudgePresets(StrictModel):
    """The times behind the morning / midday / evening buttons, as HH:MM."""

    morning: str
    midday: str
    evening: str

    @field_validator("morning", "midday", "evening")
    @classmethod
    def _is_clock(cls, value: str) -> str:
        if _HH_MM.fullmatch(value) is None:
            raise ValueError(f"{value!r} is not a time like 08:00")
        return value


class ZoneChoice(StrictModel):
    name: Annotated[str, Field(max_length=40)]  # callback data "ng:z:<name>" stays within 64 bytes
    label: Label

    @field_validator("name")
    @classmethod
    def _exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"{value!r} is not an IANA time zone") from None
        return value


Pool = Annotated[tuple[Text, ...], Field(min_length=MIN_NUDGES_PER_PRINCIPLE)]


class NudgePool(StrictModel):
    independence: Pool
    codependency: Pool
    balance: Pool
    trust: Pool
    desire: Pool
    growth: Pool

    @field_validator("*")
    @classmethod
    def _distinct(cls, texts: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(texts)) != len(texts):
            raise ValueError("the same nudge appears twice")
        return texts


class NudgeTexts(StrictModel):
    offer: Text
    offer_after_advice: Text
    declined: Text
    ask_time: Text
    time_unknown: Text
    ask_zone: Text
    choose_zone: Text
    zone_unknown: Text
    turned_on: Text
    status_on: Text
    status_paused: Text
    status_off: Text
    next_label: Text
    time_label: Text
    zone_suffix: Text
    paused_until_label: Text
    paused: Text
    resumed: Text
    stopped: Text
    already_off: Text
    heading: Text
    zone_hint: Text
    buttons: NudgeButtons
    presets: NudgePresets
    zones: Annotated[tuple[ZoneChoice, ...], Field(min_length=1, max_length=12)]
    pool: NudgePool
