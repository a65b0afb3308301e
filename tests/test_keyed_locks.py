"""KeyedLocks: per-key order, keys independent, nothing kept once idle."""

from __future__ import annotations

import asyncio

from bot.shell.locks import KeyedLocks


async def test_one_holder_per_key_in_arrival_order_and_keys_run_side_by_side():
    locks, log = KeyedLocks(), []

    async def work(key: str, n: int, delay: float) -> None:
        async with locks.hold(key):
            log.append(f"{key}{n}+")
            await asyncio.sleep(delay)
            log.append(f"{key}{n}-")

    await asyncio.gather(work("a", 1, 0.05), work("a", 2, 0), work("b", 1, 0))
    assert log.index("a1-") < log.index("a2+"), "a's second waits for its first"
    assert log.index("b1-") < log.index("a1-"), "b does not wait for a"
    assert len(locks) == 0, "idle keys are forgotten"
