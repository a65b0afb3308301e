"""The command line: classify, chat, and a clear one-line failure for a bad token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], stdin: str = "", env: dict[str, str] | None = None, timeout: float = 60):
    base = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**base, **(env or {})},
        timeout=timeout,
    )


def test_classify_prints_one_json_object_per_line():
    lines = ["he needs space and went quiet", "", "i keep texting him all day and cant stop"]
    result = run(["classify"], "\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 3
    assert out[0]["principle"] == "independence" and 0 < out[0]["confidence"] <= 1
    assert out[1] == {
        "intent": "unclear",
        "principle": None,
        "confidence": 0.0,
        "asks": True,
        "second": None,
        "risk": "none",
    }
    assert out[2]["principle"] == "codependency"


def test_classify_uses_the_bots_router_and_screen(content):
    from bot.content.loader import default_content_dir
    from bot.understanding.models import build_router, build_screen

    router = build_router(content, default_content_dir())
    screen = build_screen(content, default_content_dir())
    texts = [
        "im scared shes losing interest",
        "he told me he wants to break up",
        "thank u",
        "i've been giving my things away to friends lately, it feels right",
    ]
    result = run(["classify"], "\n".join(texts) + "\n")
    for text, line in zip(texts, result.stdout.splitlines(), strict=True):
        routing = router.route(text)
        assert json.loads(line) == {
            "intent": routing.intent,
            "principle": routing.principle,
            "confidence": routing.confidence,
            "asks": routing.intent == "unclear"
            or (bool(routing.ranking) and not routing.confident),
            "second": routing.second,
            "risk": screen.screen(text).risk,
        }
    verdicts = [json.loads(line) for line in result.stdout.splitlines()]
    assert [v["intent"] for v in verdicts[:3]] == ["situation", "breakup", "thanks"]
    assert verdicts[1]["principle"] is None and verdicts[3]["risk"] == "check"


def test_classify_reports_risk():
    result = run(
        ["classify"], "i want to kill myself\nhe hit me last night\nthis silence is killing me\n"
    )
    assert [json.loads(line)["risk"] for line in result.stdout.splitlines()] == [
        "crisis",
        "abuse",
        "none",
    ]


def test_missing_token_fails_fast_with_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no .env here
        env={k: v for k, v in os.environ.items() if k != "BOT_TOKEN"},
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "BOT_TOKEN" in result.stderr and "@BotFather" in result.stderr


def test_malformed_token_is_named_but_not_echoed(tmp_path):
    secret = "not-a-token-but-secret-looking-value"
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "BOT_TOKEN": secret},
        timeout=30,
    )
    assert result.returncode == 2
    assert "BOT_TOKEN is malformed" in result.stderr and secret not in result.stderr


def test_chat_runs_the_real_bot_in_a_terminal():
    script = "/start\n2\nthe spark is gone and it all feels boring and routine\n1\n1\n/quit\n"
    result = run(["chat"], script, timeout=90)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "not a therapist" in out
    assert "[1] He   [2] She   [3] They" in out
    assert "Letting desire come back" in out
    assert "«" in out, "the ready-to-send message is marked as copyable"
    assert "glad that helped" in out
    assert "Traceback" not in result.stderr
