"""Per-person flood control: a sliding window, pure and bounded in memory.

A person who sends more than ``limit`` updates within ``window`` seconds gets one gentle slow-down
message, then silence until the window has room again. Other people are never slowed down.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal["ok", "warn", "drop"]


@dataclass
class FloodGate:
    limit: int = 20
    window: float = 10.0
    max_tracked: int = 50_000  # people remembered at once; the least recently seen are forgotten
    _seen: OrderedDict[int, deque[float]] = field(default_factory=OrderedDict)
    _warned_at: dict[int, float] = field(default_factory=dict)

    def check(self, person: int, now: float) -> Verdict:
        """Record one update from ``person`` at ``now`` (seconds, monotonic) and judge it."""
        times = self._seen.pop(person, None) or deque(maxlen=self.limit)
        self._seen[person] = times  # most recently seen last
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            return "ok"
        warned = self._warned_at.get(person)
        if warned is not None and now - warned < self.window:
            return "drop"
        self._warned_at[person] = now
        self._forget_oldest()
        return "warn"

    def _forget_oldest(self) -> None:
        while len(self._seen) > self.max_tracked:
            person, _ = self._seen.popitem(last=False)
            self._warned_at.pop(person, None)
        if len(self._warned_at) > self.max_tracked:
            self._warned_at.clear()

    def __len__(self) -> int:
        return len(self._seen)
