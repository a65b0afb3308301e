"""A linear text classifier trained ahead of time: TF-IDF features, multinomial logistic regression.

``tools/train_models.py`` fits it with scikit-learn on the labelled messages under
``content/labelled/`` and writes ``content/models/<name>.model``; the bot only reads that file
and computes the same thing in plain Python, so scikit-learn is never needed at run time.

The file is gzip of: a JSON header line (classes, intercepts, the hash of the data it was trained
on, the training settings), then per feature block (words, characters) the feature names (one a
line), their IDF weights and their coefficients, little-endian float32. Loading is a few array
copies, not a parse of a million numbers.
"""

from __future__ import annotations

import gzip
import json
import math
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import mul
from pathlib import Path
from typing import Any

from bot.content.base import ContentError
from bot.understanding.features import char_features, normalise, word_features

MODEL_FORMAT = 1
Analyzer = Callable[[Sequence[str]], list[str]]
BLOCKS: dict[str, Analyzer] = {"word": word_features, "char": char_features}


class ModelFileError(ContentError):
    """The model file is missing, damaged or of another format; the message names it."""


@dataclass(frozen=True)
class Block:
    """One feature block: index of each feature, its IDF, and its coefficient row per feature."""

    index: dict[str, int]
    idf: array  # type: ignore[type-arg]
    rows: array  # type: ignore[type-arg]  # len(index) * classes, row-major by feature


class LinearModel:
    """Probabilities over ``classes`` for a text. Pure; built once from a model file."""

    def __init__(self, header: dict[str, Any], blocks: dict[str, Block]) -> None:
        self.header = header
        self.classes: tuple[str, ...] = tuple(header["classes"])
        self.intercept: tuple[float, ...] = tuple(header["intercept"])
        # Logits are divided by this before the softmax: chosen by cross-validation across
        # writers, so that a probability reads as how often the model is right on new writers.
        self.temperature = float(header.get("temperature", 1.0))
        self.blocks = blocks

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        try:
            raw = gzip.decompress(path.read_bytes())
        except (OSError, EOFError) as error:
            raise ModelFileError(f"model file {path}: cannot be read ({error})") from None
        try:
            header_line, rest = raw.split(b"\n", 1)
            header = json.loads(header_line)
            if header.get("format") != MODEL_FORMAT:
                raise ValueError(f"format {header.get('format')!r}, expected {MODEL_FORMAT}")
            classes = len(header["classes"])
            blocks, offset = {}, 0
            for name, size in header["blocks"]:
                names_length = header["names_bytes"][name]
                names = rest[offset : offset + names_length].decode("utf-8").split("\n")
                offset += names_length
                idf, offset = _floats(rest, offset, size)
                rows, offset = _floats(rest, offset, size * classes)
                if len(names) != size:
                    raise ValueError(f"block {name}: {len(names)} names for {size} features")
                blocks[name] = Block(dict(zip(names, range(size), strict=True)), idf, rows)
        except (ValueError, KeyError, TypeError) as error:
            raise ModelFileError(f"model file {path}: damaged ({error})") from None
        return cls(header, blocks)

    def probabilities(self, text: str) -> dict[str, float]:
        return self.probabilities_of(normalise(text))

    def probabilities_of(self, words: Sequence[str]) -> dict[str, float]:
        """The same for words already normalised (a caller that needs them too saves a pass)."""
        logits = list(self.intercept)
        width = len(logits)
        for name, analyzer in BLOCKS.items():
            block = self.blocks[name]
            index = block.index
            counts = Counter(i for f in analyzer(words) if (i := index.get(f)) is not None)
            if not counts:
                continue
            idf, rows = block.idf, block.rows
            values = [(1.0 + math.log(n)) * idf[i] for i, n in counts.items()]
            norm = math.sqrt(sum(map(mul, values, values)))
            # Row i holds feature i's coefficient for every class: add value * row, column-wise.
            slices = [rows[i * width : (i + 1) * width] for i in counts]
            for k, column in enumerate(zip(*slices, strict=True)):
                logits[k] += sum(map(mul, values, column)) / norm
        top = max(logits)
        exps = [math.exp((v - top) / self.temperature) for v in logits]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.classes, exps, strict=True)}


def _floats(data: bytes, offset: int, count: int) -> tuple[array, int]:  # type: ignore[type-arg]
    end = offset + 4 * count
    if end > len(data):
        raise ValueError("truncated")
    values = array("f")
    values.frombytes(data[offset:end])
    if sys.byteorder == "big":
        values.byteswap()
    return values, end


def write_model(
    path: Path,
    header: dict[str, Any],
    blocks: dict[str, tuple[list[str], Sequence[float], Sequence[Sequence[float]]]],
) -> None:
    """Write a model file (used by tools/train_models.py). Byte-for-byte reproducible."""
    classes = len(header["classes"])
    body = bytearray()
    names_bytes = {}
    for name, (names, idf, rows) in blocks.items():
        encoded = "\n".join(names).encode("utf-8")
        names_bytes[name] = len(encoded)
        body += encoded
        flat = array("f", idf)
        weights = array("f", (w for row in rows for w in row))
        if len(weights) != len(names) * classes:
            raise ValueError(f"block {name}: coefficient rows do not match the classes")
        for values in (flat, weights):
            if sys.byteorder == "big":
                values.byteswap()
            body += values.tobytes()
    full = {
        **header,
        "format": MODEL_FORMAT,
        "blocks": [[name, len(names)] for name, (names, _, _) in blocks.items()],
        "names_bytes": names_bytes,
    }
    line = json.dumps(full, sort_keys=True, separators=(",", ":")).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(line + b"\n" + bytes(body), compresslevel=9, mtime=0))
