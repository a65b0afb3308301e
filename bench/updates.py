"""Speed: Breathing Room against a bare python-telegram-bot echo bot, on the same emulator, same run.

    uv run python bench/updates.py            # 30 s of load for each bot
    uv run python bench/updates.py --quick    # 8 s each, under 45 s in all
    uv run python bench/updates.py --detail   # also p90/p95/max, slow seconds, latency by batch
    uv run python bench/updates.py --shared-cores   # the bot shares its CPUs with the emulator

Each bot runs as its own process (``bench/echo_bot.py``; ``python -m bot run``) against the Bot API
emulator on 127.0.0.1 in this process. With two CPUs or more, the emulator and the load generator
keep the first and each bot gets the rest (Telegram's servers do not share the bot's CPU; here they
would, and on a two-CPU machine the emulator's work showed up in the bot's latency). 200 people
each send one message a second, spread evenly: 200 updates a second. For each bot it prints the updates answered per second and the time from the
bot receiving an update (getUpdates returned it) to its reply arriving (p50, p99), the bot process's
CPU time per update (the steadiest figure on a shared machine: near a full core, latency swings with
whatever else runs; also the share of the thread that runs the event loop, which is what queues),
and the ratio of Breathing Room's rate to the echo bot's. Breathing Room's people have said hello
first, so each message gets one piece of advice, through the safety screen, the router, the
database and the outbox. Targets: ratio at least 0.8, p99 at most 20 ms. The last
line is one JSON object: ratio, p50_ms, p99_ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from bot.emulator import BotApiEmulator, Person

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = 200
PROFILE = os.environ.get("BENCH_PROFILE", "").split()  # e.g. "-m cProfile -o /tmp/br.prof"
RATE = 200.0  # updates a second, in all
MESSAGES = (
    "he said he needs space",
    "i keep texting him all day and cant stop",
    "the spark is gone and everything is boring",
    "im scared hes going to leave me",
    "i do everything and he does nothing, its one sided",
    "i dont know what to do with myself, i feel so lost",
)


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """User plus system CPU time of a process (all its threads), or of one of its threads."""
    path = f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat"
    with open(path, encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def split_cores(shared: bool) -> tuple[set[int], set[int]]:
    """CPUs for this process (emulator and load) and for the bot under test.

    The emulator stands in for Telegram, whose servers do not share the bot's CPU; on a small
    machine it would, and the bot's latency would measure the emulator's work as much as its own.
    So with two CPUs or more, this process keeps the first and the bot gets the others.
    """
    cpus = sorted(os.sched_getaffinity(0))
    if shared or len(cpus) < 2:
        return set(cpus), set(cpus)
    return {cpus[0]}, set(cpus[1:])


async def run_bot(
    command: list[str], emulator: BotApiEmulator, env: dict[str, str], cpus: set[int]
):  # type: ignore[no-untyped-def]
    environment = {
        **os.environ,
        "BOT_TOKEN": emulator.token,
        "BOT_API_BASE_URL": emulator.base_url,
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, env=environment, stderr=asyncio.subprocess.DEVNULL
    )
    os.sched_setaffinity(process.pid, cpus)  # before it has imported anything, let alone served
    return process


async def measure(
    name: str,
    command: list[str],
    env: dict[str, str],
    seconds: float,
    onboard: bool,
    cpus: set[int],
    detail: bool = False,
) -> dict[str, float]:
    emulator = BotApiEmulator()
    await emulator.start()
    process = await run_bot(command, emulator, env, cpus)
    spy = None
    if os.environ.get("BENCH_SPY") and "bot" in command:  # py-spy record of the bot, on demand
        spy = await asyncio.create_subprocess_exec(
            *os.environ["BENCH_SPY"].split(), "--pid", str(process.pid)
        )
    people = [Person(emulator, 20_000_000 + n, "L") for n in range(PEOPLE)]
    try:
        if onboard:  # hello and the pronoun first, so every measured message gets advice
            for someone in people:
                someone.send("/start")
            for someone in people:
                await someone.replies(2, timeout=60)
                someone.send("they")
            for someone in people:
                await someone.replies(2, timeout=60)
        else:
            for someone in people:  # a warm-up message each
                someone.send("hello")
            for someone in people:
                await someone.reply(timeout=60)
        measured: list[tuple[int, int]] = []  # (chat, update_id)
        # No cyclic garbage collection in this process while it measures (as timeit does): the
        # emulator stands in for Telegram, and its full collections of the growing record of
        # every reply paused it for up to ~190 ms, which both bots' latencies then showed.
        gc.collect()
        gc.disable()
        cpu_before = cpu_seconds(process.pid)
        loop_before = cpu_seconds(process.pid, process.pid)  # the event loop's thread
        emulator_before = time.process_time()
        start = time.monotonic()
        total = int(seconds * RATE)
        for n in range(total):  # person n % PEOPLE sends at start + n / RATE
            delay = start + n / RATE - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            someone = people[n % PEOPLE]
            update = someone.send(MESSAGES[(n // PEOPLE) % len(MESSAGES)])
            measured.append((someone.chat_id, update["update_id"]))
        deadline = time.monotonic() + 30
        replies_needed = {someone.chat_id: 0 for someone in people}
        for chat, _ in measured:
            replies_needed[chat] += 1
        latencies: list[float] = []
        by_batch: dict[int, list[float]] = defaultdict(list)  # updates one getUpdates returned
        by_second: dict[int, list[float]] = defaultdict(list)  # by second of the run
        last_reply = start
        for someone in people:
            for _ in range(replies_needed[someone.chat_id]):
                await someone.reply(timeout=max(deadline - time.monotonic(), 0.1))
        batch_sizes = Counter(emulator.delivered_at[u] for _, u in measured)
        for someone in people:
            ids = [u for chat, u in measured if chat == someone.chat_id]
            events = [e for e in emulator.events[someone.chat_id] if e.kind == "message"]
            answers = events[-len(ids) :]
            for update_id, event in zip(ids, answers, strict=True):
                delivered = emulator.delivered_at[update_id]
                latencies.append((event.at - delivered) * 1000)
                by_batch[batch_sizes[delivered]].append(latencies[-1])
                by_second[int(delivered - start)].append(latencies[-1])
                last_reply = max(last_reply, event.at)
        rate = len(measured) / (last_reply - start)
        per_update = 1000 / len(measured)
        cpu_ms = (cpu_seconds(process.pid) - cpu_before) * per_update
        loop_ms = (cpu_seconds(process.pid, process.pid) - loop_before) * per_update
        emulator_ms = (time.process_time() - emulator_before) * per_update
    finally:
        gc.enable()
        process.send_signal(signal.SIGINT)  # a clean stop (a profiler writes its file)
        await process.wait()
        if spy is not None:
            await spy.wait()
        await emulator.stop()
    p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    print(
        f"{name:15} {rate:7.1f} updates/s answered   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   "
        f"CPU {cpu_ms:.2f} ms/update ({loop_ms:.2f} on the event loop's thread)"
    )
    if detail:
        print(
            f"{'':15} p90 {percentile(latencies, 0.9):.1f}  p95 {percentile(latencies, 0.95):.1f}  "
            f"max {max(latencies):.1f} ms; emulator and load: {emulator_ms:.2f} ms CPU/update"
        )
        slow = sorted((s, max(v)) for s, v in by_second.items() if max(v) > 20)
        worst = ", ".join(f"second {s}: {ms:.0f} ms" for s, ms in slow[:6])
        print(
            f"{'':15} seconds with a reply over 20 ms: {len(slow)} of {len(by_second)}"
            + (f" ({worst}{', ...' if len(slow) > 6 else ''})" if slow else "")
        )
        for size, values in sorted(by_batch.items()):
            print(
                f"{'':15} {len(values):5} updates in batches of {size}: "
                f"p50 {statistics.median(values):.1f}  p99 {percentile(values, 0.99):.1f} ms"
            )
    return {"rate": rate, "p50": p50, "p99": p99}


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 s of load each (under 45 s)")
    parser.add_argument(
        "--detail",
        action="store_true",
        help="p90/p95/max, seconds with a slow reply, latency by getUpdates batch size",
    )
    parser.add_argument(
        "--shared-cores",
        action="store_true",
        help="let the bot share every CPU with the emulator and the load (no pinning)",
    )
    args = parser.parse_args(argv)
    seconds = 8.0 if args.quick else 30.0
    mine, bots = split_cores(args.shared_cores)
    os.sched_setaffinity(0, mine)
    print(
        f"{PEOPLE} people, {RATE:.0f} updates/s for {seconds:.0f} s per bot; "
        f"CPUs: emulator and load {sorted(mine)}, bot {sorted(bots)}"
    )
    echo = await measure(
        "echo bot (PTB)",
        [sys.executable, "bench/echo_bot.py"],
        {},
        seconds,
        False,
        bots,
        args.detail,
    )
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as scratch:
        env = {
            "DATABASE_PATH": str(Path(scratch) / "bench.sqlite3"),
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "json",
            "REPLY_RATE": "10000",  # the emulator has no limit; Telegram's would cap both bots
            "FLOOD_LIMIT": "1000",
        }
        ours = await measure(
            "Breathing Room",
            [sys.executable, *PROFILE, "-m", "bot", "run"],
            env,
            seconds,
            True,
            bots,
            args.detail,
        )
    ratio = ours["rate"] / echo["rate"]
    print(
        f"ratio {ratio:.2f} (target at least 0.8); Breathing Room p99 {ours['p99']:.1f} ms "
        f"(target at most 20 ms; the echo bot's p99 is {echo['p99']:.1f} ms)"
    )
    print(
        json.dumps(
            {
                "ratio": round(ratio, 3),
                "p50_ms": round(ours["p50"], 2),
                "p99_ms": round(ours["p99"], 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
