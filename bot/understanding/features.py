"""What a message is made of, for the learned models: words, word pairs and character n-grams.

One definition serves training (``tools/train_models.py`` hands these functions to scikit-learn
as its analyzers) and the bot (``linear.LinearModel``), so both see exactly the same features.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

_APOSTROPHES = re.compile(r"[’'`´]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
MAX_WORDS = 200  # a bound: the first 200 words say what a message is about
CHAR_SIZES = (2, 3, 4, 5)


def normalise(text: str) -> list[str]:
    """Lowercase words without accents, apostrophes or punctuation: "Don't!" -> ["dont"].

    Invisible format characters (zero-width spaces and joiners, direction marks) are dropped
    first, so they can neither split a word nor hide one from the safety screen.
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(
        c for c in folded if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    folded = _APOSTROPHES.sub("", folded)
    return _NON_WORD.sub(" ", folded).split()


def word_features(words: Sequence[str]) -> list[str]:
    """Each word and each pair of neighbouring words, as often as they occur."""
    words = words[:MAX_WORDS]
    return [*words, *(f"{a} {b}" for a, b in pairwise(words))]


def char_features(words: Sequence[str]) -> list[str]:
    """Each word's character 2- to 5-grams, the word padded with a space at each end.

    Typos, slang spellings and word endings still share most of their n-grams with the word
    meant ("jelous", "textin", "messsages").
    """
    grams: list[str] = []
    for word in words[:MAX_WORDS]:
        grams.extend(_char_grams(word))
    return grams


@lru_cache(maxsize=20_000)
def _char_grams(word: str) -> tuple[str, ...]:
    """Cached: most words people write are common ones. (Bounded; memory only.)"""
    padded = f" {word} "
    return tuple(
        padded[start : start + n] for n in CHAR_SIZES for start in range(len(padded) - n + 1)
    )


def text_word_features(text: str) -> list[str]:
    return word_features(normalise(text))


def text_char_features(text: str) -> list[str]:
    return char_features(normalise(text))
