"""When a daily nudge is due: pure rules over plain values (no clock reads, no I/O).

A person picks a local time of day and an IANA time zone. Each nudge belongs to one local date: it
is due from that date's chosen time until the person's local midnight, and never twice on one date
(storage enforces that with a primary key too). Daylight-saving changes are the zone's business:
a time that does not exist on a spring-forward day is sent at the matching time after the jump
(02:30 becomes 03:30), and a time that happens twice on a fall-back day is sent the first time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_CLOCK = re.compile(
    r"^\s*(?P<h>\d{1,2})(?:\s*[:.h]\s*(?P<m>\d{2}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?\s*$",
    re.IGNORECASE,
)
_WORDS = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}
_REGIONS = {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe"}
_REGIONS |= {"Indian", "Pacific"}  # the canonical areas; skips legacy names such as US/Hawaii
_OFFSET_STEP = 15  # minutes: every offset in use today is a multiple of a quarter hour


@dataclass(frozen=True)
class Slot:
    """One day's nudge: due from ``due`` (UTC) until ``day_end`` (local midnight, UTC)."""

    local_date: date
    due: datetime
    day_end: datetime


def parse_clock(text: str) -> time | None:
    """A time of day as people type it: 7:30, 07.30, 19h30, 8, 8am, 8:15 pm, noon."""
    cleaned = text.strip().lower()
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    match = _CLOCK.match(cleaned)
    if match is None:
        return None
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = (match["ampm"] or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    if match["m"] is None and not ampm and hour == 0 and cleaned != "0":
        return None
    return time(hour, minute)


@lru_cache(maxsize=1024)  # bounded: find_zone asks it about whatever a person types
def zone(name: str) -> ZoneInfo | None:
    """The IANA zone called ``name``, or None when there is no such zone."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@cache
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if z.split("/", 1)[0] in _REGIONS))


def find_zone(text: str) -> str | None:
    """A zone from what a person typed: ``Europe/Berlin``, ``berlin`` or ``new york``."""
    cleaned = text.strip().replace(" ", "_")
    if zone(cleaned) is not None and "/" in cleaned:
        return cleaned
    wanted = cleaned.lower()
    for name in _all_zones():
        if name.rsplit("/", 1)[-1].lower() == wanted:
            return name
    return None


def offsets_from_clock(local: time, now: datetime) -> list[int]:
    """The UTC offsets (minutes) that make it ``local`` o'clock at ``now``.

    Offsets in use run from -12 h to +14 h, so some clocks fit two (17:00 at 03:00 UTC is both
    Hawaii and Kiribati); the nearer one to UTC comes first.
    """
    utc = now.astimezone(UTC)
    difference = (local.hour * 60 + local.minute) - (utc.hour * 60 + utc.minute)
    difference = round(difference / _OFFSET_STEP) * _OFFSET_STEP
    fits = [d for d in (difference - 1440, difference, difference + 1440) if -720 <= d <= 840]
    return sorted(fits, key=abs)


def zones_for_clock(local: time, now: datetime, preferred: Iterable[str]) -> list[str]:
    """Zones where it is ``local`` o'clock at ``now``: preferred ones first, else any that fit."""
    offsets = set(offsets_from_clock(local, now))

    def fits(name: str) -> bool:
        tz = zone(name)
        shift = now.astimezone(tz).utcoffset() if tz else None
        return shift is not None and int(shift.total_seconds()) // 60 in offsets

    found = [name for name in preferred if fits(name)]
    return found or [name for name in _all_zones() if fits(name)]


def localize(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``at`` on ``day`` in ``tz``.

    With ``fold=0`` (PEP 495) a wall time that does not exist (spring forward) is read with the
    offset from before the jump, which lands just after it (02:30 -> 03:30), and a wall time that
    happens twice (fall back) is its first occurrence.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def slot_for(day: date, at: time, tz: ZoneInfo) -> Slot:
    return Slot(day, localize(day, at, tz), localize(day + timedelta(days=1), time(0, 0), tz))


def next_slot(
    at: time,
    tz: ZoneInfo,
    after: datetime,
    sent_through: date | None = None,
    catch_up: bool = False,
) -> Slot:
    """The first slot due at or after ``after``, on a date after ``sent_through``.

    With ``catch_up`` a slot whose time has passed still counts while its day lasts: after
    downtime, today's nudge is sent late rather than skipped.
    """
    day = after.astimezone(tz).date()
    if sent_through is not None and day <= sent_through:
        day = sent_through + timedelta(days=1)
    for _ in range(4):  # a due time is at most a day and a DST shift away
        slot = slot_for(day, at, tz)
        if (slot.day_end > after) if catch_up else (slot.due >= after):
            return slot
        day += timedelta(days=1)
    raise AssertionError("unreachable: some slot within four days is in the future")


def rotation(first: int, sent: int, pool_sizes: list[int]) -> tuple[int, int]:
    """Which principle (index) and which of its texts the ``sent``-th nudge uses.

    Principles take turns in a fixed order, so none repeats on consecutive days and all come round
    within a week; each principle's texts take turns too, so with n principles and k texts each,
    the same text comes back only after n*k nudges.
    """
    count = len(pool_sizes)
    principle = (first + sent) % count
    variant = (sent // count) % pool_sizes[principle]
    return principle, variant


@cache
def _zone_countries() -> dict[str, str]:
    """IANA zone -> ISO country code, from the tz database's own zone.tab (shipped by tzdata)."""
    try:
        table = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    found = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, name, *_ = line.split("\t")
            found[name] = code
    return found


def country_of_zone(name: str | None) -> str | None:
    """The country whose time zone ``name`` is ("America/Chicago" -> "US"), if known."""
    return _zone_countries().get(name) if name else None
