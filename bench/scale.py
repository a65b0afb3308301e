"""Size: the real bot with 1,000,000 people stored: resident memory and time to the first getUpdates.

    uv run python bench/scale.py                 # 1,000,000 people
    uv run python bench/scale.py --people 100000

Seeds the database, starts ``python -m bot run`` as its own process against the Bot API emulator
on 127.0.0.1, and measures the time from spawning it to its first getUpdates call, then its resident
memory after 200 people have had a conversation turn. The same process with an empty database is
measured in the same run as the baseline. Start-up is measured with Python's compiled bytecode, as
the Docker image ships it; the start of a Python that must compile every module from source first
(no bytecode cache: PYTHONDONTWRITEBYTECODE) is printed too. Targets: at most 120 MB and 2 s. The
last line is one JSON object: rss_mb, startup_s, startup_without_bytecode_s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path

from bot.emulator import BotApiEmulator, Person
from bot.engine.schedule import slot_for, zone
from bot.storage.nudges import SeedPerson, bulk_load_people
from bot.storage.repository import Storage

ROOT = Path(__file__).resolve().parent.parent
TALKERS = 200


async def seed(path: Path, people: int) -> None:
    storage = await Storage.open(path)
    await storage.close()
    if not people:
        return
    utc = zone("UTC")
    assert utc is not None
    slot = slot_for(date(2026, 11, 26), clock_time(8, 0), utc)
    rows = (SeedPerson(n, n % 3 == 0, "08:00", "UTC", slot) for n in range(1, people + 1))
    bulk_load_people(str(path), rows, datetime(2026, 11, 25, tzinfo=UTC))


async def fresh(path: Path) -> Path:
    await seed(path, 0)
    return path


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def measure(database: Path, bytecode: Path | None) -> tuple[float, float]:
    """Start-up seconds and resident MB; ``bytecode``: a cache of compiled modules to use and fill
    (as the Docker image has, built with UV_COMPILE_BYTECODE=1), else compile every module anew."""
    emulator = BotApiEmulator()
    await emulator.start()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    if bytecode is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    else:
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    env = {
        **env,
        "BOT_TOKEN": emulator.token,
        "BOT_API_BASE_URL": emulator.base_url,
        "DATABASE_PATH": str(database),
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        "REPLY_RATE": "1000",
    }
    first_poll = asyncio.Event()

    async def watch(method: str, params: dict[str, object]) -> None:
        if method.lower() == "getupdates":
            first_poll.set()

    emulator.on_request = watch
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        await asyncio.wait_for(first_poll.wait(), 60)
        startup = time.monotonic() - started
        people = [Person(emulator, 10_000_000 + n, "S") for n in range(TALKERS)]
        for someone in people:
            someone.send("/start")
        for someone in people:
            await someone.replies(2, timeout=30)
        await emulator.settle()
        memory = rss_mb(process.pid)
    finally:
        process.terminate()
        await process.wait()
        await emulator.stop()
    return startup, memory


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        empty, full = Path(scratch) / "empty.sqlite3", Path(scratch) / "full.sqlite3"
        await seed(empty, 0)
        started = time.monotonic()
        await seed(full, args.people)
        print(f"stored {args.people:,} people in {time.monotonic() - started:.1f} s")
        bytecode = Path(scratch) / "bytecode"
        # The first start compiles every module from source (Python without a bytecode cache, as
        # here when PYTHONDONTWRITEBYTECODE is set) and fills the cache; the others use it, as the
        # Docker image does (its build compiles the bytecode).
        # A fresh empty database each time: the emulator numbers updates from 1 again, and a
        # database that has seen those ids would rightly skip them as already done.
        cold_startup, _ = await measure(await fresh(Path(scratch) / "cold.sqlite3"), None)
        await measure(await fresh(Path(scratch) / "warm-up.sqlite3"), bytecode)
        base_startup, base_rss = await measure(empty, bytecode)
        startup, rss = await measure(full, bytecode)
        size_mb = full.stat().st_size / 1e6
    print(f"without compiled bytecode, empty database: start-up {cold_startup:.2f} s")
    print(f"empty database:   start-up {base_startup:.2f} s, resident memory {base_rss:.1f} MB")
    print(
        f"{args.people:,} people ({size_mb:.0f} MB file): start-up {startup:.2f} s "
        f"(target at most 2 s), resident memory {rss:.1f} MB (target at most 120 MB)"
    )
    print(
        f"ratios to the empty database: start-up {startup / base_startup:.2f}, memory {rss / base_rss:.2f}"
    )
    figures = {"rss_mb": round(rss, 1), "startup_s": round(startup, 2)}
    print(json.dumps({**figures, "startup_without_bytecode_s": round(cold_startup, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
