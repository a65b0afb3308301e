"""Daily-nudge sending at scale: the real bot's JobQueue sweep against a rate-limiting emulator.

    uv run python bench/nudges.py                # 10,000 due people (about six minutes)
    uv run python bench/nudges.py --users 900    # a short run (about 40 s)

With ``--stored`` people in the database (default 1,000,000), ``--users`` of them due now, the
real Application runs against the Bot API emulator on 127.0.0.1, which answers 429 with
retry_after beyond 30 messages in any second, as Telegram does. It prints the messages per second
achieved (and the ratio to the emulator's limit, measured in the same run), the 429s, duplicates
and missed people, and how long choosing who is due takes with everyone stored. The last line is
one JSON object: msgs_per_s, http_429, duplicates, missed, due_query_ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from bot.app import build_application, start_polling, stop_polling
from bot.emulator import BotApiEmulator
from bot.engine.schedule import slot_for, zone
from bot.settings import Settings
from bot.storage.nudges import SeedPerson, bulk_load_people
from bot.storage.repository import Storage

TODAY = date(2026, 11, 25)
BASE = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # the bot's clock starts here and runs on
LIMIT = 30  # messages a second, Telegram's broadcast limit, enforced by the emulator
QUERY_RUNS = 25
BATCH = 200  # what one sweep step asks for (NudgeSender.batch)


def people(stored: int, due: int) -> Iterator[SeedPerson]:
    """``due`` people whose 08:00 UTC nudge is due now; the rest later today (14:00 to 23:59)."""
    utc = zone("UTC")
    assert utc is not None
    due_now = slot_for(TODAY, clock_time(8, 0), utc)
    for user_id in range(1, stored + 1):
        if user_id <= due:
            yield SeedPerson(user_id, True, "08:00", "UTC", due_now)
            continue
        minute = 14 * 60 + user_id % (10 * 60)  # hours after the run's clock
        at = clock_time(minute // 60, minute % 60)
        later = slot_for(TODAY, at, utc)
        enabled = user_id % 10 != 0  # one in ten switched nudges off
        yield SeedPerson(user_id, enabled, f"{at:%H:%M}", "UTC", later)


async def seed(path: Path, stored: int, due: int) -> float:
    storage = await Storage.open(path)  # creates and migrates the file
    await storage.close()
    started = time.perf_counter()
    bulk_load_people(str(path), people(stored, due), BASE)
    return time.perf_counter() - started


async def due_query_ms(path: Path, now: datetime) -> tuple[float, float, int]:
    """Median and worst time of the sweep's "who is due" query, over ``QUERY_RUNS`` runs."""
    storage = await Storage.open(path)
    timings, found = [], 0
    try:
        for _ in range(QUERY_RUNS):
            started = time.perf_counter()
            found = len(await storage.due_nudges(now, BATCH))
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        await storage.close()
    return statistics.median(timings), max(timings), found


async def send_all(path: Path, due: int, timeout: float) -> dict[str, float]:
    emulator = BotApiEmulator()
    emulator.send_limit = LIMIT
    await emulator.start()
    for user_id in range(1, due + 1):
        emulator.chats[user_id] = {"id": user_id, "type": "private", "first_name": "P"}
    settings = Settings(
        bot_token=emulator.token,  # type: ignore[arg-type]
        bot_api_base_url=emulator.base_url,
        database_path=path,
        log_format="json",
        log_level="WARNING",
        log_salt=None,
        nudge_sweep_seconds=1.0,
    )
    application = build_application(settings)
    started = time.monotonic()
    application.bot_data["deps"].clock = lambda: (
        BASE + timedelta(seconds=time.monotonic() - started)
    )
    await start_polling(application)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            sent = sum(1 for chat in emulator.events.values() for e in chat if e.kind == "message")
            if sent >= due:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(3)  # a few more sweeps: anything sent now would be a duplicate
    finally:
        await stop_polling(application)
        await emulator.stop()
    per_chat = Counter(
        chat for chat, events in emulator.events.items() for e in events if e.kind == "message"
    )
    moments = sorted(
        e.at for events in emulator.events.values() for e in events if e.kind == "message"
    )
    span = moments[-1] - moments[0] if len(moments) > 1 else float("nan")
    return {
        "sent": sum(per_chat.values()),
        "msgs_per_s": (len(moments) - 1) / span if span else 0.0,
        "http_429": emulator.rate_limited + emulator.errors["sendMessage:429"],
        "duplicates": sum(count - 1 for count in per_chat.values() if count > 1),
        "missed": sum(1 for user_id in range(1, due + 1) if per_chat[user_id] == 0),
    }


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000, help="people due now")
    parser.add_argument("--stored", type=int, default=1_000_000, help="people stored in all")
    args = parser.parse_args(argv)
    due, stored = args.users, max(args.stored, args.users)
    with tempfile.TemporaryDirectory(prefix="bench-nudges-") as scratch:
        path = Path(scratch) / "bench.sqlite3"
        seeded = await seed(path, stored, due)
        print(f"stored {stored:,} people ({due:,} due now) in {seeded:.1f} s")
        median, worst, found = await due_query_ms(path, BASE)
        print(
            f"who is due, among {stored:,}: median {median:.2f} ms, worst {worst:.2f} ms "
            f"over {QUERY_RUNS} runs ({found} per batch; target at most 50 ms)"
        )
        timeout = due / (LIMIT * 0.8) + 60
        result = await send_all(path, due, timeout)
    print(f"sent {result['sent']:,} nudges to {due:,} people")
    print(
        f"{result['msgs_per_s']:.1f} messages/s against a limit of {LIMIT}/s "
        f"(ratio {result['msgs_per_s'] / LIMIT:.2f}; target at least 27/s)"
    )
    print(f"429 answers: {result['http_429']}")
    print(f"duplicates: {result['duplicates']}   missed: {result['missed']}")
    figures = {
        "msgs_per_s": round(result["msgs_per_s"], 2),
        "http_429": int(result["http_429"]),
        "duplicates": int(result["duplicates"]),
        "missed": int(result["missed"]),
        "due_query_ms": round(worst, 2),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
