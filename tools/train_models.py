"""Train the router and the risk model from the labelled messages, and write their model files.

    uv run python tools/train_models.py            # writes content/models/{router,risk}.model
    uv run python tools/train_models.py --compare  # naive Bayes, SVM, logistic regression, by writer

Both are TF-IDF over words, word pairs and character 2-5-grams (bot/understanding/features.py)
with a multinomial logistic regression (scikit-learn, a development dependency only). The same
data and library version give the same bytes. Data under tests/data/heldout/ is never read here.
Thresholds (when to ask, when to check on safety) are chosen by leave-one-writer-out
cross-validation over the training writers, and written into the model files.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content.base import PRINCIPLES  # noqa: E402
from bot.content.labelled import (  # noqa: E402
    RiskExample,
    RoutingExample,
    load_risk,
    load_routing,
    training_data_hash,
)
from bot.content.loader import default_content_dir, load_content  # noqa: E402
from bot.understanding.features import text_char_features, text_word_features  # noqa: E402
from bot.understanding.linear import LinearModel, write_model  # noqa: E402
from bot.understanding.screen import SafetyScreen  # noqa: E402


@dataclass(frozen=True)
class Settings:
    c: float  # inverse regularisation strength
    min_df: int  # a feature must occur in this many messages to be kept
    second_weight: float = 0.5  # a message's second principle counts this much for it
    cue_weight: float = 2.0  # a cue phrase from content/cues.toml counts this much


ROUTER = Settings(c=30.0, min_df=2)  # 5-fold by writer: top-1 86.3%, intent 95.5% (C=10: 95.1%)
RISK = Settings(c=10.0, min_df=2)
# Share of crisis and abuse messages of unseen writers that must get at least the check question.
# 0.99 asked one ordinary message in six (leave-one-writer-out); 0.98 asks about one in twelve.
CHECK_RECALL = 0.98
# Share of situation messages of unseen writers for which the router asks which principle fits
# rather than guessing: the least sure tenth.
ASK_RATE = 0.10
TEMPERATURES = [round(0.5 + 0.1 * i, 1) for i in range(46)]  # 0.5 .. 5.0
ALARM_FALSE = 0.02  # share of hard ordinary messages (unseen writers) allowed a full safety reply


@dataclass(frozen=True)
class Rows:
    texts: list[str]
    labels: list[str]
    weights: list[float]
    writers: list[str]
    hard: list[bool]  # an ordinary message written to look risky (idioms, films, negations)


def routing_rows(examples: Sequence[RoutingExample], cues: dict[str, Sequence[str]]) -> Rows:
    rows = Rows([], [], [], [], [])
    for e in examples:
        _add(rows, e.text, e.label, 1.0, e.writer)
        if e.second is not None:
            _add(rows, e.text, e.second, ROUTER.second_weight, e.writer)
    for principle, phrases in cues.items():
        for phrase in phrases:
            _add(rows, phrase.rstrip("*"), principle, ROUTER.cue_weight, "cues")
    return rows


def risk_rows(
    examples: Sequence[RiskExample], ordinary: Sequence[RoutingExample], screen: SafetyScreen
) -> Rows:
    """Risk messages, plus every routing message as an ordinary one (what most people write).

    Each text as the screen hands it to the model: cleaned of hyperbole and negations. A text
    that cleaning empties is never scored by the model, so it is not learned from either.
    """
    rows = Rows([], [], [], [], [])
    for e in examples:
        if cleaned := screen.clean(e.text):
            _add(rows, cleaned, e.label, 1.0, e.writer, hard=e.label == "none")
    for o in ordinary:
        if cleaned := screen.clean(o.text):
            _add(rows, cleaned, "none", 1.0, o.writer)
    return rows


def _add(rows: Rows, text: str, label: str, weight: float, writer: str, hard: bool = False) -> None:
    rows.hard.append(hard)
    rows.texts.append(text)
    rows.labels.append(label)
    rows.weights.append(weight)
    rows.writers.append(writer)


def _subset(rows: Rows, keep: Callable[[str], bool]) -> Rows:
    picked = [i for i, w in enumerate(rows.writers) if keep(w)]
    return Rows(*([column[i] for i in picked] for column in vars(rows).values()))


class Fitted:
    """A scikit-learn fit, and the same model as the bot reads it."""

    def __init__(self, rows: Rows, settings: Settings) -> None:
        self.union = FeatureUnion(
            [
                ("word", _vectorizer(text_word_features, settings.min_df)),
                ("char", _vectorizer(text_char_features, settings.min_df)),
            ]
        )
        matrix = self.union.fit_transform(rows.texts)
        self.model = LogisticRegression(C=settings.c, max_iter=5000)
        self.model.fit(matrix, rows.labels, sample_weight=np.asarray(rows.weights))
        self.classes = [str(c) for c in self.model.classes_]

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.model.decision_function(self.union.transform(texts)))

    def probabilities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        table = self.model.predict_proba(self.union.transform(texts))
        return [dict(zip(self.classes, map(float, row), strict=True)) for row in table]

    def as_model(self, header: dict[str, object] | None = None) -> LinearModel:
        """The fit as the bot would read it from its file (for cross-writer evaluation)."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model"
            self.write(path, header or {})
            return LinearModel.load(path)

    def write(self, path: Path, header: dict[str, object]) -> None:
        blocks = {}
        start = 0
        coefficients = self.model.coef_
        for name, vectorizer in self.union.transformer_list:
            names = list(vectorizer.get_feature_names_out())
            rows = coefficients[:, start : start + len(names)].T.tolist()
            blocks[name] = (names, vectorizer.idf_.tolist(), rows)
            start += len(names)
        intercept = [float(v) for v in self.model.intercept_]
        write_model(path, {**header, "classes": self.classes, "intercept": intercept}, blocks)


def _vectorizer(analyzer: Callable[[str], list[str]], min_df: int) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=min_df, dtype=np.float64)


Scored = list[tuple[str, bool, float]]  # (label, hard ordinary, danger score)


def cross_writer_danger(rows: Rows, settings: Settings, screen: SafetyScreen) -> Scored:
    """Each writer's messages scored by a fit without that writer; a pattern hit scores 1."""
    out: Scored = []
    for writer in sorted(set(rows.writers) - {"cues"}):
        fitted = Fitted(_subset(rows, lambda w, x=writer: w != x), settings)
        held = _subset(rows, lambda w, x=writer: w == x)
        for label, hard, text, p in zip(
            held.labels, held.hard, held.texts, fitted.probabilities(held.texts), strict=True
        ):
            if screen.screen(text, use_model=False).hit:
                out.append((label, hard, 1.0))
            else:  # the screen asks the model only about two words or more
                out.append((label, hard, 1.0 - p["none"] if len(text.split()) >= 2 else 0.0))
    return out


def cross_writer_logits(rows: Rows, settings: Settings) -> tuple[list[str], np.ndarray, list[str]]:
    """(labels, logits, class order) for every message, each from a fit without its writer."""
    labels: list[str] = []
    blocks = []
    classes: list[str] = []
    for writer in sorted(set(rows.writers) - {"cues"}):
        fitted = Fitted(_subset(rows, lambda w, x=writer: w != x), settings)
        held = _subset(rows, lambda w, x=writer: w == x)
        keep = [i for i, weight in enumerate(held.weights) if weight == 1.0]  # not second labels
        labels += [held.labels[i] for i in keep]
        blocks.append(fitted.logits([held.texts[i] for i in keep]))
        classes = fitted.classes
    return labels, np.vstack(blocks), classes


def router_calibration(
    labels: list[str], logits: np.ndarray, classes: list[str]
) -> tuple[float, float]:
    """The temperature that makes cross-writer probabilities honest (least log loss), and the
    confidence below which the router asks (the least sure ``ASK_RATE`` of situations)."""
    truth = np.array([classes.index(label) for label in labels])

    def softmax(t: float) -> np.ndarray:
        scaled = logits / t
        scaled -= scaled.max(axis=1, keepdims=True)
        exps = np.exp(scaled)
        return np.asarray(exps / exps.sum(axis=1, keepdims=True))

    def loss(t: float) -> float:
        p = softmax(t)[np.arange(len(truth)), truth]
        return float(-np.log(np.clip(p, 1e-12, 1)).mean())

    temperature = min(TEMPERATURES, key=loss)
    p = softmax(temperature)
    principles = [classes.index(k) for k in PRINCIPLES]
    situation = p[:, principles].sum(axis=1)
    others = np.delete(p, principles, axis=1).max(axis=1)
    shares = p[:, principles].max(axis=1) / situation
    routed = [
        share
        for label, share, s, o in zip(labels, shares, situation, others, strict=True)
        if label in PRINCIPLES and s >= o
    ]
    ask_below = float(np.sort(routed)[int(ASK_RATE * len(routed))])
    return temperature, round(ask_below, 3)


def risk_thresholds(scored: Scored) -> tuple[float, float]:
    """The check threshold (recall of danger) and the alarm threshold (false full replies)."""
    danger = sorted(score for label, _, score in scored if label != "none")
    check = danger[int((1 - CHECK_RECALL) * len(danger))]
    hard = sorted((score for _, is_hard, score in scored if is_hard and score < 1), reverse=True)
    alarm = hard[int(ALARM_FALSE * len(hard))]
    return round(float(check), 3), round(max(float(alarm) + 1e-3, check), 3)


def train(content_dir: Path) -> dict[str, Path]:
    content = load_content(content_dir)
    labelled = content_dir / "labelled"
    routing = load_routing(labelled / "routing")
    risk = load_risk(labelled / "risk")
    cues = {k: tuple(v) for k, v in content.cues.phrases.items()}
    rows = routing_rows(routing, cues)
    temperature, ask_below = router_calibration(*cross_writer_logits(rows, ROUTER))
    print(f"router (leave one writer out): temperature {temperature}, ask below {ask_below}")
    router = _ship(
        content_dir, "router", rows, ROUTER, temperature=temperature, ask_below=ask_below
    )

    patterns = SafetyScreen(content.safety_patterns)
    rows = risk_rows(risk, routing, patterns)
    check, alarm = risk_thresholds(cross_writer_danger(rows, RISK, patterns))
    print(f"risk thresholds (leave one writer out): check at {check}, full reply at {alarm}")
    risk_path = _ship(content_dir, "risk", rows, RISK, check_at=check, alarm_at=alarm)
    return {"router": router, "risk": risk_path}


def _ship(content_dir: Path, name: str, rows: Rows, settings: Settings, **chosen: float) -> Path:
    """Fit on every training message, write content/models/<name>.model, check it reads back."""
    fitted = Fitted(rows, settings)
    path = content_dir / "models" / f"{name}.model"
    header = {
        "sklearn": sklearn.__version__,
        "data_sha256": training_data_hash(content_dir, name),
        "settings": vars(settings),
        **chosen,
    }
    fitted.write(path, header)
    _verify(path, fitted, rows.texts)
    return path


def _verify(path: Path, fitted: Fitted, texts: Sequence[str]) -> None:
    """The file, read as the bot reads it, gives scikit-learn's probabilities."""
    model = LinearModel.load(path)
    model.temperature = 1.0  # compare the raw fit; the temperature only rescales it
    sample = list(texts[:: max(1, len(texts) // 300)])
    for text, expected in zip(sample, fitted.probabilities(sample), strict=True):
        got = model.probabilities(text)
        worst = max(abs(got[k] - v) for k, v in expected.items())
        if worst > 1e-3:
            raise SystemExit(f"{path}: the bot's reading differs from scikit-learn by {worst}")


def compare(content_dir: Path) -> None:
    """Naive Bayes, a linear SVM and logistic regression, each judged on writers it never saw
    (five folds, each leaving a fifth of the writers out), on the same features."""

    content = load_content(content_dir)
    routing = load_routing(content_dir / "labelled" / "routing")
    risk = load_risk(content_dir / "labelled" / "risk")
    cues = {k: tuple(v) for k, v in content.cues.phrases.items()}
    patterns = SafetyScreen(content.safety_patterns)

    def union(kind: type) -> FeatureUnion:
        options = {"sublinear_tf": True} if kind is TfidfVectorizer else {"binary": True}
        return FeatureUnion(
            [
                ("word", kind(analyzer=text_word_features, min_df=2, **options)),
                ("char", kind(analyzer=text_char_features, min_df=2, **options)),
            ]
        )

    candidates = {
        "naive Bayes (binary counts)": lambda: make_pipeline(
            union(CountVectorizer), MultinomialNB(alpha=0.1)
        ),
        "linear SVM (TF-IDF)": lambda: make_pipeline(union(TfidfVectorizer), LinearSVC(C=0.5)),
        "logistic regression (TF-IDF)": lambda: make_pipeline(
            union(TfidfVectorizer), LogisticRegression(C=ROUTER.c, max_iter=5000)
        ),
    }
    writers = sorted({e.writer for e in routing})
    folds = [writers[i::5] for i in range(5)]
    for name, make in candidates.items():
        right = total = intent_right = intent_total = 0
        for fold in folds:
            rows = routing_rows([e for e in routing if e.writer not in fold], cues)
            model = make().fit(rows.texts, rows.labels)
            held = [e for e in routing if e.writer in fold]
            for e, guess in zip(held, model.predict([e.text for e in held]), strict=True):
                guessed_intent = "situation" if guess in PRINCIPLES else guess
                intent_total += 1
                intent_right += guessed_intent == e.intent
                if e.principle is not None:
                    total += 1
                    right += guess == e.principle
        line = (
            f"{name:30} router: intent {intent_right / intent_total:.1%}, top-1 {right / total:.1%}"
        )
        if hasattr(make(), "predict_proba"):
            scored: Scored = []
            for fold in folds:
                rows = risk_rows(
                    [e for e in risk if e.writer not in fold],
                    [e for e in routing if e.writer not in fold],
                    patterns,
                )
                model = make().fit(rows.texts, rows.labels)
                held = _subset(risk_rows(risk, routing, patterns), lambda w, f=fold: w in f)
                none = list(model.classes_).index("none")
                for label, hard, text, p in zip(
                    held.labels, held.hard, held.texts, model.predict_proba(held.texts), strict=True
                ):
                    certain = patterns.screen(text, use_model=False).hit
                    scored.append((label, hard, 1.0 if certain else 1.0 - float(p[none])))
            danger = sorted(score for label, _, score in scored if label != "none")
            check = danger[int((1 - CHECK_RECALL) * len(danger))]
            asked = [
                score >= check for label, hard, score in scored if label == "none" and not hard
            ]
            hard_asked = [score >= check for label, hard, score in scored if hard]
            line += (
                f"; screen at {CHECK_RECALL:.0%} of danger caught: ordinary messages asked "
                f"{sum(asked) / len(asked):.1%}, hard ones {sum(hard_asked) / len(hard_asked):.1%}"
            )
        print(line, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--content", type=Path, default=default_content_dir())
    parser.add_argument(
        "--compare", action="store_true", help="compare model kinds across writers; write nothing"
    )
    args = parser.parse_args()
    if args.compare:
        compare(args.content)
        return 0
    for name, path in train(args.content).items():
        print(
            f"{name}: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
            f"({path.stat().st_size // 1024} KiB)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
