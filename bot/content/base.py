"""The base of every content model: strict, frozen, and checked for pronoun placeholders."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.content.pronouns import check_placeholders

Text = Annotated[str, Field(min_length=1)]

PRINCIPLES = ("independence", "codependency", "balance", "trust", "desire", "growth")
CLOSING_IDEA = "communication"
PrincipleKey = Literal["independence", "codependency", "balance", "trust", "desire", "growth"]
TopicKey = Literal[
    "independence", "codependency", "balance", "trust", "desire", "growth", "communication"
]


class ContentError(RuntimeError):
    """A content file is missing or invalid; the message names the file and the field."""


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _placeholders(cls, value: object) -> object:
        if isinstance(value, str):
            check_placeholders(value)
        return value
