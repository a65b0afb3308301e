"""The base of every content model: strict, frozen, and checked for pronoun placeholders."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.pronouns import check_placeholders

Text = Annotated[str, Field(min_length=1)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _placeholders(cls, value: object) -> object:
        if isinstance(value, str):
            check_placeholders(value)
        return value
