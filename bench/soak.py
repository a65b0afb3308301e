"""Soak: resident memory of one running bot while a stream of new people each say /start.

    uv run python bench/soak.py                   # 100,000 distinct people (a few minutes)
    uv run python bench/soak.py --people 300000   # longer
    uv run python bench/soak.py --shared-cores    # the bot shares its CPUs with the emulator

``bench/scale.py`` measures a bot with many people stored, right after start-up; this measures a
bot that has talked to many people. It starts ``python -m bot run`` as its own process against the
Bot API emulator on 127.0.0.1 in this process (the emulator's memory is not counted), with an empty
database, REPLY_RATE=5000 and the default flood control. Then distinct people, one after another,
each send /start, as fast as the bot answers: at most ``--window`` people wait for their two
replies at any moment, and each one who has both is replaced by a new one. With two CPUs or more the
emulator keeps the first and the bot gets the others, as in ``bench/updates.py``. What the emulator
recorded for a person who has been answered is dropped, so this process stays small too.

It prints the bot's resident memory (VmRSS) at start-up (the first getUpdates) and after every
``--every`` people. Memory that only grows with the number of people ever seen shows up as a slope:
``growth_mb_per_100k`` is the least-squares slope of resident memory over the people answered,
from the first ``--every`` people on (before that, caches and pools fill once), per 100,000
people. Target: at most 5 MB per 100,000 people. The last line is one JSON object: people,
rss_start_mb, rss_end_mb, growth_mb_per_100k, people_per_s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bot.emulator import BotApiEmulator, Person

ROOT = Path(__file__).resolve().parent.parent
FIRST_ID = 30_000_000  # user ids (and private chat ids) of the people, counting up
REPLIES = 2  # /start from someone new: the welcome, then "which fits best: he, she, they?"


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def split_cores(shared: bool) -> tuple[set[int], set[int]]:
    """CPUs for this process (emulator and load) and for the bot, as bench/updates.py splits them."""
    cpus = sorted(os.sched_getaffinity(0))
    if shared or len(cpus) < 2:
        return set(cpus), set(cpus)
    return {cpus[0]}, set(cpus[1:])


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of y over x (0 with fewer than two points)."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def answered(emulator: BotApiEmulator, chat_id: int) -> bool:
    events = emulator.events.get(chat_id, ())
    return sum(1 for event in events if event.kind == "message") >= REPLIES


def forget(emulator: BotApiEmulator, chat_id: int, update_id: int) -> None:
    """Drop what the emulator keeps about an answered person (their chat, messages, replies)."""
    for event in emulator.events.pop(chat_id, ()):
        emulator.messages.pop((chat_id, event.payload.get("message_id", 0)), None)
    emulator.messages.pop((chat_id, 1), None)  # the person's own /start
    emulator.chats.pop(chat_id, None)
    emulator.delivered_at.pop(update_id, None)


async def soak(people: int, every: int, window: int, shared: bool) -> dict[str, float]:
    mine, bots = split_cores(shared)
    os.sched_setaffinity(0, mine)
    emulator = BotApiEmulator()
    await emulator.start()
    first_poll = asyncio.Event()

    async def watch(method: str, params: dict[str, object]) -> None:
        if method.lower() == "getupdates":
            first_poll.set()

    emulator.on_request = watch
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as scratch:
        env = {
            **os.environ,
            "BOT_TOKEN": emulator.token,
            "BOT_API_BASE_URL": emulator.base_url,
            "DATABASE_PATH": str(Path(scratch) / "soak.sqlite3"),
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "json",
            "REPLY_RATE": "5000",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stderr=asyncio.subprocess.DEVNULL
        )
        os.sched_setaffinity(process.pid, bots)
        try:
            await asyncio.wait_for(first_poll.wait(), 60)
            emulator.on_request = None
            rss_start = rss_mb(process.pid)
            print(
                f"{people:,} people each send /start, at most {window} waiting at once; "
                f"CPUs: emulator and load {sorted(mine)}, bot {sorted(bots)}"
            )
            print(f"{0:>9,} people   resident memory {rss_start:6.1f} MB")
            points: list[tuple[int, float]] = []
            waiting: dict[int, int] = {}  # chat id -> the update id of their /start
            sent = done = 0
            started = time.monotonic()
            while done < people:
                while len(waiting) < window and sent < people:
                    someone = Person(emulator, FIRST_ID + sent, "S")
                    waiting[someone.chat_id] = someone.send("/start")["update_id"]
                    sent += 1
                await asyncio.sleep(0.002)
                for chat_id in [chat for chat in waiting if answered(emulator, chat)]:
                    forget(emulator, chat_id, waiting.pop(chat_id))
                    done += 1
                    if done % every == 0:
                        memory = rss_mb(process.pid)
                        points.append((done, memory))
                        elapsed = time.monotonic() - started
                        print(
                            f"{done:>9,} people   resident memory {memory:6.1f} MB   "
                            f"({elapsed:5.0f} s, {done / elapsed:5.0f} people/s)"
                        )
                if sent > done and time.monotonic() - started > 600 + people / 50:
                    raise TimeoutError(f"the bot stopped answering after {done:,} people")
            seconds = time.monotonic() - started
            rss_end = rss_mb(process.pid)
        finally:
            process.terminate()
            await process.wait()
            await emulator.stop()
    growth = slope([(n, mb) for n, mb in points if n >= every]) * 100_000
    return {
        "people": people,
        "rss_start_mb": round(rss_start, 1),
        "rss_end_mb": round(rss_end, 1),
        "growth_mb_per_100k": round(growth, 1),
        "people_per_s": round(people / seconds),
    }


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000, help="distinct people (100,000)")
    parser.add_argument("--every", type=int, default=10_000, help="print memory every N people")
    parser.add_argument("--window", type=int, default=256, help="people waiting at most at once")
    parser.add_argument(
        "--shared-cores",
        action="store_true",
        help="let the bot share every CPU with the emulator and the load (no pinning)",
    )
    args = parser.parse_args(argv)
    if args.people < 2 * args.every:
        parser.error("--people must be at least twice --every (a slope needs two points)")
    figures = await soak(args.people, args.every, args.window, args.shared_cores)
    print(
        f"resident memory {figures['rss_start_mb']:.1f} MB at start, {figures['rss_end_mb']:.1f} MB "
        f"after {args.people:,} people; growth {figures['growth_mb_per_100k']:.1f} MB per 100,000 "
        f"people after the first {args.every:,} (target at most 5)"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
