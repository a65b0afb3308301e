"""Command line: ``python -m bot [run | chat | classify | healthcheck | backup PATH]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.content.loader import ContentError, load_content
from bot.settings import SettingsError, load_settings


def _run() -> int:
    from bot.app import run
    from bot.shell.logs import configure_logging

    settings = load_settings()
    configure_logging(
        settings.log_level, settings.resolved_log_format, [settings.bot_token.get_secret_value()]
    )
    run(settings)
    return 0


def _classify() -> int:
    """One message per input line -> one JSON object per output line, with the bot's own router.

    Each object: what kind of message it is (intent), the principle for a situation, its
    confidence, whether the bot would ask instead of answering, a second issue (if the message
    raises one), and the safety screen's risk (none, check, crisis or abuse).
    """
    from bot.settings import ContentSettings
    from bot.understanding.models import build_router, build_screen

    content_dir = ContentSettings().content_dir
    content = load_content(content_dir)
    router = build_router(content, content_dir)
    screen = build_screen(content, content_dir)
    for line in sys.stdin:
        text = line.rstrip("\n")
        routing = router.route(text)
        risk = screen.screen(text).risk
        verdict = {
            "intent": routing.intent,
            "principle": routing.principle,
            "confidence": routing.confidence,
            # The bot asks with buttons instead of answering: a situation below the threshold
            # (which principle?), or a message too vague to place (what is happening?).
            "asks": routing.intent == "unclear"
            or (routing.ranking != () and not routing.confident),
            "second": routing.second,
            "risk": risk,
        }
        print(json.dumps(verdict))
    return 0


def _healthcheck() -> int:
    """Exit 0 when the database answers and the bot made progress recently, else 1 (Docker)."""
    from datetime import UTC, datetime

    from bot.storage.ops import health

    settings = load_settings()
    healthy, reason = health(settings.database_path, settings.health_max_idle, datetime.now(UTC))
    print(reason, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def _backup(target: Path) -> int:
    """A consistent copy of the running bot's database at ``target``."""
    import sqlite3

    from bot.storage.ops import backup

    settings = load_settings()
    if target.resolve() == settings.database_path.resolve():
        print("error: the backup must not overwrite the database itself", file=sys.stderr)
        return 2
    try:
        size = backup(settings.database_path, target)
    except (OSError, sqlite3.Error) as error:
        print(f"error: backup failed: {error}", file=sys.stderr)
        return 1
    print(f"backed up {settings.database_path} to {target} ({size:,} bytes)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Breathing Room bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default); needs BOT_TOKEN")
    chat = commands.add_parser("chat", help="try the bot in this terminal, no token needed")
    chat.add_argument("--db", type=Path, help="keep the conversation in this SQLite file")
    commands.add_parser(
        "classify", help="route stdin lines to a principle and a risk, one JSON object per line"
    )
    commands.add_parser(
        "healthcheck", help="exit 0 if the database answers and the bot made progress recently"
    )
    backup = commands.add_parser("backup", help="copy the database consistently while it runs")
    backup.add_argument("path", type=Path, help="where to write the copy")
    args = parser.parse_args(argv)
    try:
        if args.command == "chat":
            from bot.chat import main as chat_main

            chat_main(args.db)
            return 0
        if args.command == "classify":
            return _classify()
        if args.command == "healthcheck":
            return _healthcheck()
        if args.command == "backup":
            return _backup(args.path)
        return _run()
    except (SettingsError, ContentError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
