"""Due-time rules (bot/engine/schedule.py) with an injected clock: DST, far-off zones, midnight, catch-up."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.engine.model import NudgePrefs
from bot.engine.nudge_flow import slot_after
from bot.engine.schedule import (
    find_zone,
    next_slot,
    parse_clock,
    rotation,
    slot_for,
    zone,
    zones_for_clock,
)

NEW_YORK = zone("America/New_York")
assert NEW_YORK is not None


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7:30", time(7, 30)),
        ("07.30", time(7, 30)),
        ("19h30", time(19, 30)),
        ("8", time(8, 0)),
        ("8am", time(8, 0)),
        ("8:15 pm", time(20, 15)),
        ("12am", time(0, 0)),
        ("12 p.m.", time(12, 0)),
        ("noon", time(12, 0)),
        ("00:00", time(0, 0)),
        ("24:00", None),
        ("7:60", None),
        ("13pm", None),
        ("seven", None),
        ("", None),
        ("1:2:3", None),
    ],
)
def test_parse_clock_reads_times_as_people_type_them(typed, expected):
    assert parse_clock(typed) == expected


def test_an_ordinary_day_is_due_at_the_local_time_until_local_midnight():
    slot = slot_for(date(2026, 6, 10), time(8, 0), NEW_YORK)
    assert slot.due == utc(2026, 6, 10, 12, 0)  # EDT is UTC-4
    assert slot.day_end == utc(2026, 6, 11, 4, 0)


def test_spring_forward_sends_a_missing_time_just_after_the_jump():
    # 2026-03-08: New York clocks go 02:00 -> 03:00, so 02:30 does not exist that day.
    slot = slot_for(date(2026, 3, 8), time(2, 30), NEW_YORK)
    assert slot.due == utc(2026, 3, 8, 7, 30)  # 03:30 EDT
    assert slot.due.astimezone(NEW_YORK).strftime("%H:%M") == "03:30"
    # A normal time that day uses the new offset; the day is 23 hours long.
    assert slot_for(date(2026, 3, 8), time(8, 0), NEW_YORK).due == utc(2026, 3, 8, 12, 0)
    assert slot.day_end - utc(2026, 3, 8, 5, 0) == timedelta(hours=23)


def test_fall_back_sends_a_repeated_time_once_the_first_time():
    # 2026-11-01: New York clocks go 02:00 -> 01:00, so 01:30 happens twice.
    slot = slot_for(date(2026, 11, 1), time(1, 30), NEW_YORK)
    assert slot.due == utc(2026, 11, 1, 5, 30)  # the first 01:30, still EDT
    assert slot.day_end - utc(2026, 11, 1, 4, 0) == timedelta(hours=25)
    # Across the change the nudge keeps its wall-clock time: 08:00 EDT, then 08:00 EST.
    before = next_slot(time(8, 0), NEW_YORK, utc(2026, 10, 31, 11, 0))
    after = next_slot(time(8, 0), NEW_YORK, before.due, before.local_date)
    assert (before.due, after.due) == (utc(2026, 10, 31, 12, 0), utc(2026, 11, 1, 13, 0))


def test_one_slot_per_local_date_across_both_changes():
    """Walk a year hour by hour: every local date gets exactly one due time, at 08:00 local."""
    at, tz = time(8, 0), NEW_YORK
    moment, sent_through, dates = utc(2026, 1, 1), None, []
    for _ in range(400):
        slot = next_slot(at, tz, moment, sent_through)
        assert slot.due.astimezone(tz).time() == at
        assert slot.due < slot.day_end
        dates.append(slot.local_date)
        moment, sent_through = slot.due, slot.local_date
    assert dates == [dates[0] + timedelta(days=i) for i in range(400)]


@pytest.mark.parametrize(
    ("name", "local_now", "utc_due"),
    [
        # UTC-12: the last place on Earth to reach a date.
        ("Etc/GMT+12", utc(2026, 6, 10, 20, 0), utc(2026, 6, 10, 21, 0)),
        # UTC+14: the first. Its 09:00 on 11 June is 19:00 UTC on 10 June.
        ("Pacific/Kiritimati", utc(2026, 6, 10, 18, 0), utc(2026, 6, 10, 19, 0)),
    ],
)
def test_zones_at_the_ends_of_the_day(name, local_now, utc_due):
    tz = zone(name)
    assert tz is not None
    slot = next_slot(time(9, 0), tz, local_now)
    assert slot.due == utc_due
    assert slot.due.astimezone(tz).time() == time(9, 0)
    assert slot.day_end == slot.due + timedelta(hours=15)


def test_a_time_already_past_today_is_due_tomorrow():
    slot = next_slot(time(8, 0), NEW_YORK, utc(2026, 6, 10, 15, 0))  # 11:00 in New York
    assert slot.local_date == date(2026, 6, 11)


def test_local_midnight_belongs_to_the_new_day():
    tz = zone("Europe/Berlin")
    assert tz is not None
    just_before = utc(2026, 6, 10, 21, 59, 59)  # 23:59:59 in Berlin
    slot = next_slot(time(0, 0), tz, just_before)
    assert slot.local_date == date(2026, 6, 11) and slot.due == utc(2026, 6, 10, 22, 0)
    # At midnight exactly the slot is due now, not a day later.
    assert next_slot(time(0, 0), tz, slot.due).due == slot.due
    # A 23:30 nudge is due for only half an hour: the day ends at the next midnight.
    late = next_slot(time(23, 30), tz, utc(2026, 6, 10, 12, 0))
    assert late.day_end - late.due == timedelta(minutes=30)


def test_a_sweep_that_missed_hours_catches_up_that_day_but_never_after_midnight():
    prefs = NudgePrefs(enabled=True, at="08:00", zone="America/New_York")
    slot = slot_after(prefs, utc(2026, 6, 10, 11, 0))
    assert slot is not None and slot.local_date == date(2026, 6, 10)
    # Down from 07:00 to 22:00 local: still 10 June there, so the nudge is still due.
    late = utc(2026, 6, 11, 2, 0)
    assert slot.due <= late < slot.day_end
    # Down past midnight: that day is over, and the next slot is the 11th at 08:00.
    after_midnight = utc(2026, 6, 11, 4, 30)
    assert after_midnight >= slot.day_end
    following = slot_after(prefs, after_midnight)
    assert following is not None and following.due == utc(2026, 6, 11, 12, 0)


def test_a_date_already_sent_is_never_offered_again():
    prefs = NudgePrefs(enabled=True, at="08:00", zone="America/New_York")
    now = utc(2026, 6, 10, 11, 0)  # 07:00 local: the 10th's nudge is next
    assert slot_after(prefs, now).local_date == date(2026, 6, 10)  # type: ignore[union-attr]
    sent = slot_after(prefs, now, sent_through=date(2026, 6, 10))
    assert sent is not None and sent.local_date == date(2026, 6, 11)


def test_a_pause_moves_the_next_slot_past_its_end():
    paused_until = utc(2026, 6, 17, 13, 0)  # 09:00 local on the 17th
    prefs = NudgePrefs(enabled=True, at="08:00", zone="America/New_York", paused_until=paused_until)
    slot = slot_after(prefs, utc(2026, 6, 10, 13, 0))
    assert slot is not None and slot.local_date == date(2026, 6, 18)


def test_no_slot_when_off_or_unusable():
    now = utc(2026, 6, 10)
    assert slot_after(NudgePrefs(enabled=False, at="08:00", zone="UTC"), now) is None
    assert slot_after(NudgePrefs(enabled=True, at="08:00", zone="Mars/Olympus"), now) is None
    assert slot_after(NudgePrefs(enabled=True, at="nonsense", zone="UTC"), now) is None


def test_the_zone_from_what_time_it_is_there():
    now = utc(2026, 1, 15, 14, 2)
    preferred = ["Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago"]
    assert zones_for_clock(time(9, 0), now, preferred) == ["America/New_York"]
    assert zones_for_clock(time(15, 5), now, preferred) == ["Europe/Berlin"]
    # Not a preferred zone: any zone whose clock reads that (here UTC+5:30).
    assert "Asia/Kolkata" in zones_for_clock(time(19, 32), now, preferred)
    # 04:00 at 14:00 UTC is UTC-10 (Hawaii); the same clock also fits UTC+14 the next day.
    both = zones_for_clock(time(4, 0), now, [])
    assert "Pacific/Honolulu" in both and "Pacific/Kiritimati" in both


def test_find_zone_by_name_or_city():
    assert find_zone("Europe/Berlin") == "Europe/Berlin"
    assert find_zone("berlin") == "Europe/Berlin"
    assert find_zone("New York") == "America/New_York"
    assert find_zone("../../etc/passwd") is None
    assert find_zone("atlantis") is None


def test_rotation_never_repeats_a_principle_on_consecutive_days_and_covers_all_in_a_week():
    pools = [6, 6, 6, 7, 6, 8]
    for first in range(6):
        picks = [rotation(first, n, pools) for n in range(400)]
        principles = [p for p, _ in picks]
        assert all(a != b for a, b in itertools.pairwise(principles))
        for start in range(len(picks) - 7):
            assert set(principles[start : start + 7]) == set(range(6))
        for start in range(len(picks) - 31):
            window = picks[start : start + 31]
            assert len(set(window)) == 31, "a text came back within a month"


def test_catching_up_keeps_todays_slot_until_midnight():
    prefs = NudgePrefs(enabled=True, at="08:00", zone="America/New_York")
    late = utc(2026, 6, 11, 2, 0)  # 22:00 on the 10th in New York
    caught = slot_after(prefs, late, catch_up=True)
    assert caught is not None and caught.local_date == date(2026, 6, 10) and caught.due < late
    assert slot_after(prefs, late).local_date == date(2026, 6, 11)  # type: ignore[union-attr]
    done = slot_after(prefs, late, sent_through=date(2026, 6, 10), catch_up=True)
    assert done is not None and done.local_date == date(2026, 6, 11)
