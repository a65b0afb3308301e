"""Free text -> the principle that fits, with a calibrated confidence. Pure; no network, no big model.

The router is a multinomial naive Bayes over word, word-pair and character n-gram features, learned
at start-up (a few milliseconds) from the labelled messages in ``content/understanding.tsv`` and the
cue phrases in ``content/cues.toml``. Its log-odds are softened by a temperature chosen by
cross-validation on those same messages (``bench/understanding.py --tune`` prints it), so that the
confidence reads as a probability: below ``threshold`` the bot asks with buttons instead of guessing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from bot.content.examples import UNCLEAR
from bot.content.loader import PRINCIPLES, Cues, Example

LABELS = (*PRINCIPLES, UNCLEAR)  # "unclear" learns what too vague to place looks like

_CLAUSE_BREAK = re.compile(
    r"[.;!?,]+|\b(?:and|but|so|because|cause|cuz|coz|then|now|while|although|though)\b",
    re.IGNORECASE,
)
_APOSTROPHES = re.compile(r"[’'`´]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
# Words that say nothing about which principle fits: a message of only these has no evidence.
_FILLER = frozenset(
    [
        "i",
        "im",
        "me",
        "my",
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "so",
        "to",
        "of",
        "in",
        "on",
        "at",
        "it",
        "its",
        "is",
        "was",
        "be",
        "been",
        "am",
        "are",
        "is",
        "he",
        "she",
        "they",
        "him",
        "her",
        "them",
        "his",
        "hers",
        "their",
        "theirs",
        "we",
        "us",
        "our",
        "you",
        "your",
        "this",
        "that",
        "what",
        "how",
        "do",
        "does",
        "did",
        "just",
        "really",
        "very",
        "like",
        "so",
        "ok",
        "okay",
        "hi",
        "hello",
        "hey",
        "yes",
        "no",
        "not",
        "dont",
        "idk",
        "lol",
        "please",
        "help",
        "thanks",
        "thank",
        "know",
        "think",
        "feel",
        "want",
    ]
)


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


@dataclass(frozen=True)
class Routing:
    """The router's answer: principles best first, and how sure it is of the first."""

    ranking: tuple[str, ...]  # best first; empty when the text holds no evidence at all
    confidence: float  # 0..1, the calibrated probability of ranking[0]
    confident: bool
    second: str | None = None  # a second issue the message also raises, if it clearly does

    @property
    def principle(self) -> str | None:
        return self.ranking[0] if self.ranking else None


@dataclass(frozen=True)
class ModelSettings:
    """The knobs cross-validation chose (see ``bench/understanding.py --tune``)."""

    alpha: float = 0.1  # additive smoothing
    char_weight: float = 0.2  # how much one character n-gram counts, against one word
    cue_weight: float = 3.0  # how much one cue phrase counts, against one labelled message
    second_weight: float = 0.5  # a message's second issue counts this much for that principle
    temperature: float = 6.0  # log-odds are divided by this before the softmax
    second_share: float = 0.2  # a runner-up this probable is named as a second issue
    clause_share: float = 0.5  # a clause this sure of another principle names a second issue


def features(words: Sequence[str], char_weight: float) -> dict[str, float]:
    """Word, word-pair and character 3- to 5-gram features, each counted once (binary NB)."""
    whole, grams = _feature_names(words)
    return {**dict.fromkeys(whole, 1.0), **dict.fromkeys(grams, char_weight)}


def _feature_names(words: Sequence[str]) -> tuple[list[str], list[str]]:
    """The distinct words and word pairs (each counts 1), and the distinct character n-grams.

    The two kinds never share a name: a pair has a space, an n-gram starts with ``#``.
    """
    unique = dict.fromkeys(words)
    pairs = dict.fromkeys(f"{a} {b}" for a, b in pairwise(words))
    grams = dict.fromkeys(gram for word in unique for gram in _char_grams(word))
    return [*unique, *pairs], list(grams)


@lru_cache(maxsize=20_000)
def _char_grams(word: str) -> tuple[str, ...]:
    """A word's character 3- to 5-grams, with ``<`` and ``>`` marking its ends.

    Cached: most words people write are common ones, and slicing every word into a dozen or more
    strings on every message was a visible share of a turn's CPU. (Bounded; memory only.)
    """
    padded = f"<{word}>"
    return tuple(
        f"#{padded[start : start + n]}" for n in (3, 4, 5) for start in range(len(padded) - n + 1)
    )


class Router:
    """Naive Bayes over the labelled messages. Build once at start-up; :meth:`route` is pure."""

    def __init__(
        self,
        examples: Iterable[Example],
        cues: Cues,
        settings: ModelSettings | None = None,
    ) -> None:
        self.settings = settings or ModelSettings()
        self.threshold = cues.threshold
        s = self.settings
        counts: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(LABELS))
        documents = [0.0] * len(LABELS)

        def learn(text: str, label: str, weight: float) -> None:
            index = LABELS.index(label)
            documents[index] += weight
            for feature, value in features(normalise(text), s.char_weight).items():
                counts[feature][index] += value * weight

        for example in examples:
            learn(example.text, example.principle, 1.0)
            if example.second is not None:
                learn(example.text, example.second, s.second_weight)
        for principle, phrases in cues.phrases.items():
            for phrase in phrases:
                learn(phrase.rstrip("*"), principle, s.cue_weight)

        totals = [sum(column) for column in zip(*counts.values(), strict=True)]
        vocabulary = len(counts)
        self._prior = [math.log(d / sum(documents)) for d in documents]
        self._weights: dict[str, tuple[float, ...]] = {
            feature: tuple(
                math.log((row[c] + s.alpha) / (totals[c] + s.alpha * vocabulary))
                for c in range(len(LABELS))
            )
            for feature, row in counts.items()
        }
        self._known_words = {f for f in counts if " " not in f and not f.startswith("#")}

    def log_odds(self, text: str) -> tuple[list[float], int]:
        """Per-principle log scores (prior plus evidence), and how many content words were known.

        The same sum as over :func:`features`, arranged for speed (this runs for every message,
        and once more per clause): known words and word pairs weigh 1, known character n-grams
        ``char_weight``; each group's weight rows are added column by column in C.
        """
        words = normalise(text)[:200]  # a bound: the first 200 words say what the message is about
        weights = self._weights
        whole_names, gram_names = _feature_names(words)
        whole = [weights[f] for f in whole_names if f in weights]
        parts = [weights[f] for f in gram_names if f in weights]
        char_weight = self.settings.char_weight
        scores = list(self._prior)
        if whole:  # every row has one weight per label, as scores has one score per label
            columns = zip(*whole, strict=True)
            scores = [score + sum(column) for score, column in zip(scores, columns, strict=True)]
        if parts:
            columns = zip(*parts, strict=True)
            scores = [s + char_weight * sum(c) for s, c in zip(scores, columns, strict=True)]
        evidence = sum(1 for w in words if w in self._known_words and w not in _FILLER)
        return scores, evidence

    def probabilities(self, text: str) -> tuple[dict[str, float], int]:
        scores, evidence = self.log_odds(text)
        top = max(scores)
        exps = [math.exp((score - top) / self.settings.temperature) for score in scores]
        total = sum(exps)
        return {label: e / total for label, e in zip(LABELS, exps, strict=True)}, evidence

    def route(self, text: str) -> Routing:
        probabilities, evidence = self.probabilities(text)
        if evidence == 0 or max(probabilities, key=probabilities.__getitem__) == UNCLEAR:
            return Routing((), 0.0, False)  # nothing to go on: ask what is happening
        ranking = sorted(PRINCIPLES, key=lambda p: -probabilities[p])
        confidence = round(probabilities[ranking[0]], 3)
        second = self._second_issue(text, ranking[0])
        if second is None and probabilities[ranking[1]] >= self.settings.second_share:
            second = ranking[1]
        if second is not None:  # the second issue is the next angle, whatever its share
            ranking.remove(second)
            ranking.insert(1, second)
        return Routing(tuple(ranking), confidence, confidence >= self.threshold, second)

    def _second_issue(self, text: str, primary: str) -> str | None:
        """A principle that one clause of the message clearly raises, other than ``primary``.

        "He asked for space and now I can't stop texting him" is two messages in one; read
        clause by clause, the second clause names the second issue even when the words of the
        first dominate the whole.
        """
        clauses = [c for c in _CLAUSE_BREAK.split(text) if len(c.split()) >= 3][:8]
        if len(clauses) < 2:
            return None
        best, best_share = None, self.settings.clause_share
        for clause in clauses:
            shares, evidence = self.probabilities(clause)
            top = max(shares, key=shares.__getitem__)
            if evidence and top not in (primary, UNCLEAR) and shares[top] >= best_share:
                best, best_share = top, shares[top]
        return best
