"""The labelled messages the free-text router learns from: ``content/understanding.tsv``.

One message a line: ``principle<TAB>second principle or nothing<TAB>text``; ``#`` starts a comment.
The label ``unclear`` marks messages too vague to point anywhere ("we had a fight"), so that the
router learns to ask rather than guess.
Each line is validated, and a bad one stops start-up naming the file, the line and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from bot.content.base import ContentError, PrincipleKey, StrictModel

EXAMPLES_FILE = "understanding.tsv"
MIN_EXAMPLES_PER_PRINCIPLE = 30
_COLUMNS = ("principle", "second", "text")


UNCLEAR = "unclear"  # the label for messages too vague to point at any principle


class Example(StrictModel):
    principle: PrincipleKey | Literal["unclear"]
    second: PrincipleKey | None = None  # a second issue in the same message
    text: Annotated[str, Field(min_length=2, max_length=500)]

    @model_validator(mode="after")
    def _two_different_issues(self) -> Example:
        if self.second == self.principle:
            raise ValueError("the second principle must differ from the first")
        return self


def parse_examples(text: str, source: str) -> tuple[Example, ...]:
    """Parse the TSV; raise :class:`ContentError` naming ``source``, the line and the field."""
    examples: list[Example] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != len(_COLUMNS):
            raise ContentError(
                f"content file {source}: line {number}: expected 3 tab-separated columns "
                f"(principle, second, text), found {len(cells)}"
            )
        row = dict(zip(_COLUMNS, (cell.strip() for cell in cells), strict=True))
        try:
            example = Example.model_validate({**row, "second": row["second"] or None})
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "line"
            raise ContentError(
                f"content file {source}: line {number}: field {field}: {first['msg']}"
            ) from None
        key = example.text.casefold()
        if key in seen:
            raise ContentError(
                f"content file {source}: line {number}: field text: the same message is on "
                f"line {seen[key]}"
            )
        seen[key] = number
        examples.append(example)
    return tuple(examples)


def load_examples(directory: Path) -> tuple[Example, ...]:
    path = directory / EXAMPLES_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ContentError(f"content file {path} is missing") from error
    examples = parse_examples(text, str(path))
    for principle in PrincipleKey.__args__:  # type: ignore[attr-defined]
        count = sum(1 for e in examples if e.principle == principle)
        if count < MIN_EXAMPLES_PER_PRINCIPLE:
            raise ContentError(
                f"content file {path}: field principle: only {count} messages for {principle!r} "
                f"(at least {MIN_EXAMPLES_PER_PRINCIPLE})"
            )
    return examples
