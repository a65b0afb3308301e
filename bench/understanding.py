"""How well the bot understands people it never learned from: the router and the safety screen.

    uv run python bench/understanding.py            # the held-out writers, per writer and overall
    uv run python bench/understanding.py --cross    # also leave-one-writer-out over the training
                                                    # writers (refits; needs scikit-learn; slow)

The held-out writers (``tests/data/heldout/``) were never trained or tuned on: their figures are
the honest ones. ``--cross`` refits the models once per training writer without that writer's
messages and scores that writer, so every training writer gets a figure too. Also printed: the
patterns alone (the screen's first layer), and messages per second. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content.base import PRINCIPLES  # noqa: E402
from bot.content.labelled import INTENTS, load_risk, load_routing  # noqa: E402
from bot.content.loader import default_content_dir, load_content  # noqa: E402
from bot.understanding.evaluation import (  # noqa: E402
    RouterFigures,
    SafetyFigures,
    router_figures,
    safety_figures,
    unseen,
)
from bot.understanding.models import build_router, build_screen  # noqa: E402
from bot.understanding.router import Router  # noqa: E402
from bot.understanding.screen import SafetyScreen  # noqa: E402

HELD_OUT = ROOT / "tests" / "data" / "heldout"
SPEED_SECONDS = 1.0
TARGETS = "targets: caught 100%, exact >= 95%, ordinary full <= 2%, ordinary check <= 8%"


def print_router(figures: dict[str, RouterFigures], title: str) -> None:
    print(f"\n== Router: {title}")
    print(f"  {'writer':10} {'intent':>7} {'top-1':>7} {'asks':>6} {'right when answering':>21}")
    for writer, f in sorted(figures.items(), key=lambda item: item[0] == "all"):
        print(
            f"  {writer:10} {f.intent_accuracy:7.1%} {f.top1:7.1%} {f.ask_rate:6.1%} "
            f"{f.answered_accuracy:21.1%}"
        )
    overall = figures["all"]
    print(
        "  per principle (top choice): "
        + ", ".join(f"{p} {overall.recall('principles', p):.0%}" for p in PRINCIPLES)
    )
    sec = overall.seconds
    print(
        f"  second issue named for {sec['named']} of {overall.situations} situations; "
        f"its writer labelled one in {sec['labelled']}; the same one in {sec['hit']}"
    )
    print("  per intent: " + ", ".join(f"{i} {overall.recall('intents', i):.0%}" for i in INTENTS))
    print("  confusion of principles (rows true, columns chosen; 'other' = not a situation):")
    columns = [*PRINCIPLES, "other"]
    print("    " + " " * 13 + " ".join(f"{c[:6]:>7}" for c in columns))
    for p in PRINCIPLES:
        row = [overall.principles[(p, c)] for c in PRINCIPLES]
        row.append(
            sum(n for (t, c), n in overall.principles.items() if t == p and c not in PRINCIPLES)
        )
        print(f"    {p:13}" + " ".join(f"{n:7d}" for n in row))
    print("  targets: top-1 >= 90%, asks <= 15%, each principle >= 85%, intent >= 90%")


def print_safety(figures: dict[str, SafetyFigures], title: str) -> None:
    print(f"\n== Safety screen: {title}")
    print(
        f"  {'writer':10} {'caught':>7} {'exact':>7} {'hard: full':>11} {'check':>6} "
        f"{'ordinary: full':>15} {'check':>6}"
    )
    for writer, f in sorted(figures.items(), key=lambda item: item[0] == "all"):
        print(
            f"  {writer:10} {f.caught:7.1%} {f.exact:7.1%} "
            f"{f.share('hard', ('crisis', 'abuse')):11.1%} {f.share('hard', ('check',)):6.1%} "
            f"{f.share('ordinary', ('crisis', 'abuse')):15.1%} {f.share('ordinary', ('check',)):6.1%}"
        )
    overall = figures["all"]
    print("  verdicts by true label:        none   check  crisis   abuse")
    for label in ("crisis", "abuse", "hard", "ordinary"):
        cells = " ".join(
            f"{overall.table[(label, v)]:7d}" for v in ("none", "check", "crisis", "abuse")
        )
        print(f"    {label:9} ({overall.total(label):4d})     {cells}")
    print(f"  {TARGETS}")


def speed(work: Callable[[str], object], texts: Sequence[str]) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < SPEED_SECONDS:
        for text in texts:
            work(text)
        done += len(texts)
    return done / (time.perf_counter() - started)


def cross_writers() -> tuple[dict[str, RouterFigures], dict[str, SafetyFigures]]:
    """Leave one training writer out: refit without them, score them (tools/train_models.py)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import train_models as tm

    content_dir = default_content_dir()
    content = load_content(content_dir)
    routing = load_routing(content_dir / "labelled" / "routing")
    risk = load_risk(content_dir / "labelled" / "risk")
    shipped_screen = build_screen(content, content_dir).model
    shipped_router = build_router(content, content_dir).model
    assert shipped_screen is not None
    cues = {k: tuple(v) for k, v in content.cues.phrases.items()}
    routers: dict[str, RouterFigures] = {}
    screens: dict[str, SafetyFigures] = {}
    total_router, total_screen = RouterFigures(), SafetyFigures()
    for writer in sorted({e.writer for e in routing}):
        train_routing = [e for e in routing if e.writer != writer]
        train_risk = [e for e in risk if e.writer != writer]
        router = Router(
            tm.Fitted(tm.routing_rows(train_routing, cues), tm.ROUTER).as_model(
                {k: shipped_router.header[k] for k in ("temperature", "ask_below")}
            )
        )
        patterns = SafetyScreen(content.safety_patterns)
        screen = SafetyScreen(
            content.safety_patterns,
            tm.Fitted(tm.risk_rows(train_risk, train_routing, patterns), tm.RISK).as_model(
                {k: shipped_screen.header[k] for k in ("check_at", "alarm_at")}
            ),
        )
        held_routing = [e for e in routing if e.writer == writer]
        held_risk = [e for e in risk if e.writer == writer]
        routers[writer] = router_figures(router, held_routing)["all"]
        screens[writer] = safety_figures(screen, held_risk, held_routing)["all"]
        for e in held_routing:
            total_router.add(e, router)
        for label, verdict in screens[writer].table.items():
            total_screen.table[label] += verdict
        print(f"  ... {writer} done", file=sys.stderr, flush=True)
    routers["all"], screens["all"] = total_router, total_screen
    return routers, screens


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cross", action="store_true", help="also leave one writer out (slow)")
    args = parser.parse_args(argv)
    content_dir = default_content_dir()
    content = load_content(content_dir)
    started = time.perf_counter()
    router = build_router(content, content_dir)
    screen = build_screen(content, content_dir)
    load_ms = (time.perf_counter() - started) * 1000
    labelled = content_dir / "labelled"
    trained = [e.text for e in load_routing(labelled / "routing") + load_risk(labelled / "risk")]
    all_routing, all_risk = load_routing(HELD_OUT / "routing"), load_risk(HELD_OUT / "risk")
    routing, risk = unseen(all_routing, trained), unseen(all_risk, trained)
    writers = sorted({e.writer for e in routing})
    print(
        f"held-out writers: {', '.join(writers)} ({len(routing)} routing, {len(risk)} risk "
        f"messages; {len(all_routing) + len(all_risk) - len(routing) - len(risk)} left out "
        "because a training writer wrote the same words)"
    )
    print(
        f"models loaded in {load_ms:.0f} ms; screen thresholds: check at {screen.check_at}, "
        f"full reply at {screen.alarm_at}"
    )
    routers = router_figures(router, routing)
    screens = safety_figures(screen, risk, routing)
    print_router(routers, "held-out writers (never trained or tuned on)")
    print_safety(screens, "held-out writers (never trained or tuned on)")
    print_safety(safety_figures(screen, risk, routing, use_model=False), "patterns alone, held-out")
    if args.cross:
        cross_router, cross_screen = cross_writers()
        print_router(cross_router, "each training writer, left out of a refit")
        print_safety(cross_screen, "each training writer, left out of a refit")
    texts = [e.text for e in routing]
    route_rate, screen_rate = speed(router.route, texts), speed(screen.screen, texts)
    print(f"\nspeed on one core: router {route_rate:,.0f} messages/s, screen {screen_rate:,.0f}/s")
    r, s = routers["all"], screens["all"]
    figures = {
        "intent_accuracy": round(r.intent_accuracy, 4),
        "top1": round(r.top1, 4),
        "ask_rate": round(r.ask_rate, 4),
        "caught": round(s.caught, 4),
        "exact": round(s.exact, 4),
        "ordinary_full": round(s.share("ordinary", ("crisis", "abuse")), 4),
        "ordinary_check": round(s.share("ordinary", ("check",)), 4),
        "hard_full": round(s.share("hard", ("crisis", "abuse")), 4),
        "hard_check": round(s.share("hard", ("check",)), 4),
        "router_per_s": round(route_rate),
        "screen_per_s": round(screen_rate),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
