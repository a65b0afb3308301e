"""Pronoun placeholders: one text serves he / she / they.

Texts are written in the "they" form: ``{they} {them} {their} {theirs} {themself} {They} {Them}
{Their}``, verb forms ``{are} {were} {have} {do} {s} {es} {arent} {dont} {re}`` ("{they} need{s}
room", "{they} {are} quiet", "{they}'{re} busy").
"""

from __future__ import annotations

import string
from typing import Literal

Pronoun = Literal["he", "she", "they"]
PRONOUNS: tuple[Pronoun, ...] = ("he", "she", "they")

PRONOUN_FORMS: dict[str, dict[str, str]] = {
    "he": {
        "they": "he", "them": "him", "their": "his", "theirs": "his", "themself": "himself",
        "are": "is", "were": "was", "have": "has", "do": "does", "s": "s", "es": "es",
        "arent": "isn't", "dont": "doesn't", "re": "s",
    },
    "she": {
        "they": "she", "them": "her", "their": "her", "theirs": "hers", "themself": "herself",
        "are": "is", "were": "was", "have": "has", "do": "does", "s": "s", "es": "es",
        "arent": "isn't", "dont": "doesn't", "re": "s",
    },
    "they": {
        "they": "they", "them": "them", "their": "their", "theirs": "theirs",
        "themself": "themself", "are": "are", "were": "were", "have": "have", "do": "do",
        "s": "", "es": "", "arent": "aren't", "dont": "don't", "re": "re",
    },
}  # fmt: skip
for _forms in PRONOUN_FORMS.values():
    for _name in ("they", "them", "their"):
        _forms[_name.capitalize()] = _forms[_name].capitalize()
PLACEHOLDERS = frozenset(PRONOUN_FORMS["they"])


def render(template: str, pronoun: str | None) -> str:
    """Fill pronoun placeholders (``{they}`` ...) for ``pronoun`` (default: they)."""
    return template.format_map(PRONOUN_FORMS[pronoun or "they"])


def check_placeholders(text: str) -> str:
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise ValueError(f"unknown placeholder {{{name}}}; use one of {sorted(PLACEHOLDERS)}")
    return text
