"""Per-person flood control: a sliding window, pure and bounded in memory.

A person who sends more than ``limit`` updates within ``window`` seconds gets one gentle slow-down
message, then silence until the window has room again. Other people are never slowed down.

Only people seen within the last ``window`` seconds are remembered: someone quiet for a whole
window has nothing left in it (no update, no warning that still counts), so forgetting them changes
no verdict. Memory therefore follows the people active in one window, not everyone ever seen; and
``max_tracked`` caps even that, on every path (past it, the least recently seen are forgotten).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal["ok", "warn", "drop"]


class _Recent:
    """One person's part of the window: small, since a gate may hold thousands at once."""

    __slots__ = ("seen", "times", "warned")

    def __init__(self, now: float) -> None:
        self.seen = now  # the last update, let through or not
        self.times: list[float] = []  # the updates let through within the window, oldest first
        self.warned: float | None = None  # when they were last asked to slow down


@dataclass
class FloodGate:
    limit: int = 20
    window: float = 10.0
    max_tracked: int = 50_000  # people remembered at once; the least recently seen are forgotten
    _people: OrderedDict[int, _Recent] = field(default_factory=OrderedDict, repr=False)

    def check(self, person: int, now: float) -> Verdict:
        """Record one update from ``person`` at ``now`` (seconds, monotonic) and judge it."""
        self._forget_quiet(now)
        recent = self._people.get(person)
        if recent is None:
            recent = self._people[person] = _Recent(now)  # most recently seen last
            if len(self._people) > self.max_tracked:
                self._people.popitem(last=False)
        else:
            recent.seen = now
            self._people.move_to_end(person)
        times = recent.times
        gone = 0
        while gone < len(times) and now - times[gone] >= self.window:
            gone += 1
        if gone:
            del times[:gone]
        if len(times) < self.limit:
            times.append(now)
            return "ok"
        if recent.warned is not None and now - recent.warned < self.window:
            return "drop"
        recent.warned = now
        return "warn"

    def _forget_quiet(self, now: float) -> None:
        """Forget everyone not seen for a whole window (they are first: least recently seen)."""
        people = self._people
        while people:
            oldest = next(iter(people.values()))
            if now - oldest.seen < self.window:
                return
            people.popitem(last=False)

    def __len__(self) -> int:
        return len(self._people)
