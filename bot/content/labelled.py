"""The labelled messages the learned models are trained and judged on.

``content/labelled/routing/<writer>.tsv``: ``intent<TAB>principle<TAB>second<TAB>text``;
``content/labelled/risk/<writer>.tsv``: ``label<TAB>text``. One file per writer: each was written
by one voice (a teenager texting, a non-native speaker, a terse man in his fifties ...) who saw no
other writer's text, so a model can be judged on writers it never learned from. Writers kept out
of training altogether live under ``tests/data/heldout/`` in the same format.

Every line is validated; a bad one raises :class:`ContentError` naming the file, line and field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import Field, ValidationError, model_validator

from bot.content.base import ContentError, PrincipleKey, StrictModel

Intent = Literal[
    "situation",
    "breakup",
    "infidelity",
    "decision",
    "thanks",
    "frustration",
    "about_bot",
    "unclear",
]
INTENTS: tuple[Intent, ...] = Intent.__args__  # type: ignore[attr-defined]
RiskLabel = Literal["none", "crisis", "crisis_now", "abuse"]
_T = TypeVar("_T", bound=StrictModel)
MessageText = Annotated[str, Field(min_length=1, max_length=4096)]


class RoutingExample(StrictModel):
    writer: str
    intent: Intent
    principle: PrincipleKey | None = None
    second: PrincipleKey | None = None  # a second issue the same message raises
    text: MessageText

    @model_validator(mode="after")
    def _principles_fit_the_intent(self) -> RoutingExample:
        if (self.intent == "situation") != (self.principle is not None):
            raise ValueError("a principle is given exactly when the intent is situation")
        if self.second is not None and self.second == self.principle:
            raise ValueError("the second principle must differ from the first")
        return self

    @property
    def label(self) -> str:
        """The one label a flat classifier learns: the principle, or the intent."""
        return self.principle or self.intent


class RiskExample(StrictModel):
    writer: str
    label: RiskLabel
    text: MessageText


def _rows(path: Path, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(f"content file {path}: cannot be read ({error})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != len(columns):
            raise ContentError(
                f"content file {path}: line {number}: expected {len(columns)} tab-separated "
                f"columns ({', '.join(columns)}), found {len(cells)}"
            )
        yield number, dict(zip(columns, (c.strip() for c in cells), strict=True))


def _parse(path: Path, columns: tuple[str, ...], model: type[_T]) -> list[_T]:
    parsed: list[_T] = []
    seen: dict[str, int] = {}
    for number, row in _rows(path, columns):
        values = {k: (v or None) if k in ("principle", "second") else v for k, v in row.items()}
        try:
            example = model.model_validate({"writer": path.stem, **values})
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "line"
            raise ContentError(
                f"content file {path}: line {number}: field {field}: {first['msg']}"
            ) from None
        key = row["text"].casefold()
        if key in seen:
            raise ContentError(
                f"content file {path}: line {number}: field text: the same message is on "
                f"line {seen[key]}"
            )
        seen[key] = number
        parsed.append(example)
    return parsed


def load_routing(folder: Path) -> list[RoutingExample]:
    """Every routing example in ``folder/*.tsv``, writer by writer (sorted by name)."""
    columns = ("intent", "principle", "second", "text")
    return [e for p in sorted(folder.glob("*.tsv")) for e in _parse(p, columns, RoutingExample)]


def load_risk(folder: Path) -> list[RiskExample]:
    """Every risk example in ``folder/*.tsv``, writer by writer (sorted by name)."""
    return [
        e for p in sorted(folder.glob("*.tsv")) for e in _parse(p, ("label", "text"), RiskExample)
    ]


# What each model is trained from, besides the labelled messages (tools/train_models.py).
_TRAINED_FROM = {"router": "cues.toml", "risk": "safety_patterns.toml"}


def training_data_hash(content_dir: Path, model: str) -> str:
    """A digest of everything ``model`` is trained from, stored in its file when it is trained.

    A test compares it with the data as it is now, so a labelled message added without
    retraining (``uv run python tools/train_models.py``) fails the suite instead of being ignored.
    """
    digest = hashlib.sha256(model.encode())
    files = [*sorted((content_dir / "labelled").rglob("*.tsv")), content_dir / _TRAINED_FROM[model]]
    for path in files:
        name = path.relative_to(content_dir).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()
