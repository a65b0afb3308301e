"""FloodGate: one warning then silence per person, and memory that follows one window, not everyone."""

from __future__ import annotations

import gc
import tracemalloc
from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.shell.flood import FloodGate, Verdict


class Reference:
    """The rule, written plainly and remembering everyone forever: what the gate must answer."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.times: dict[int, deque[float]] = {}
        self.warned: dict[int, float] = {}

    def check(self, person: int, now: float) -> Verdict:
        times = self.times.setdefault(person, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            return "ok"
        warned = self.warned.get(person)
        if warned is not None and now - warned < self.window:
            return "drop"
        self.warned[person] = now
        return "warn"


def test_past_the_limit_one_warning_then_silence_until_the_window_has_room():
    gate = FloodGate(limit=2, window=10.0)
    assert [gate.check(1, t) for t in (0.0, 0.5)] == ["ok", "ok"]
    assert [gate.check(1, t) for t in (1.0, 2.0, 9.9)] == ["warn", "drop", "drop"]
    assert gate.check(2, 5.0) == "ok", "someone else is never slowed down"
    assert gate.check(1, 10.0) == "ok", "the update at 0.0 has left the window"
    assert gate.check(1, 10.2) == "drop", "full again, and the warning at 1.0 still counts"
    assert gate.check(1, 10.6) == "ok", "the update at 0.5 has left the window"
    assert gate.check(1, 11.5) == "warn", "full again, and the last warning is a window old"


def test_a_person_quiet_for_a_window_is_forgotten_and_starts_afresh():
    gate = FloodGate(limit=2, window=10.0)
    assert [gate.check(7, t) for t in (0.0, 0.1, 0.2)] == ["ok", "ok", "warn"]
    assert gate.check(8, 10.2) == "ok"
    assert len(gate) == 1, "7 was last seen a whole window ago"
    assert [gate.check(7, t) for t in (10.3, 10.4, 10.5)] == ["ok", "ok", "warn"]


def test_size_after_many_people_is_the_people_of_one_window():
    gate = FloodGate(limit=20, window=10.0)
    largest = 0
    for n in range(200_000):  # 1,000 new people a second for 200 seconds, each sends once
        assert gate.check(n, n / 1000) == "ok"
        largest = max(largest, len(gate))
    assert largest <= 10_001, "only the people of the last 10 seconds are remembered"
    gate.check(-1, 200.0 + 10.0)
    assert len(gate) == 1, "a window later, only the newcomer is left"


def test_memory_after_many_people_stays_that_of_one_window():
    def held(people: int) -> int:
        gc.collect()
        tracemalloc.start()
        gate = FloodGate(limit=20, window=10.0)
        for n in range(people):  # 1,000 new people a second
            gate.check(n, n / 1000)
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del gate
        return size

    few, many = held(20_000), held(200_000)
    assert many < 1.2 * few, f"{many:,} bytes for 200,000 people against {few:,} for 20,000"
    assert many < 5_000_000, f"{many:,} bytes for the 10,000 people of one window"


def test_max_tracked_holds_on_every_path():
    gate = FloodGate(limit=1, window=60.0, max_tracked=100)
    for n in range(1_000):  # all within one window: nobody is quiet long enough to forget
        assert gate.check(n, 1.0) == "ok"
        assert len(gate) <= 100
    for n in range(900, 1_000):  # the newest hundred are the ones remembered: they are full
        assert gate.check(n, 2.0) == "warn"
    for n in range(1_000, 2_000):  # and the warning path keeps the bound as well
        gate.check(n, 3.0)
        gate.check(n, 3.0)
        assert len(gate) <= 100


@settings(max_examples=300, deadline=None)
@given(
    limit=st.integers(1, 4),
    window=st.sampled_from([0.5, 1.0, 2.5]),
    steps=st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.0, 3.0])),
        max_size=120,
    ),
)
def test_forgetting_never_changes_a_verdict(limit, window, steps):
    gate, reference = FloodGate(limit=limit, window=window), Reference(limit, window)
    now = 0.0
    for person, pause in steps:
        now += pause
        assert gate.check(person, now) == reference.check(person, now)
