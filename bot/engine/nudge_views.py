"""Render the daily-nudge messages: the opt-in flow, the status, and the nudge itself.

Callback data: ``ng:on`` / ``ng:no`` opt in or not, ``ng:t:<preset>`` a time button,
``ng:z:<zone>`` a time zone, ``ng:time`` / ``ng:zone`` change them, ``ng:pause`` / ``ng:resume`` /
``ng:stop``, ``ng:menu`` the status, ``ng:more:<principle>`` "Tell me more" on a nudge.
"""

from __future__ import annotations

from datetime import datetime

from bot.content.loader import PRINCIPLES, Content
from bot.content.pronouns import render
from bot.engine.model import Button, NudgePrefs, Reply
from bot.engine.schedule import zone


def local_when(moment: datetime, zone_name: str) -> str:
    """A moment as the person reads it on their own clock: "Wed 26 Nov, 08:00"."""
    tz = zone(zone_name)
    local = moment.astimezone(tz) if tz else moment
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def zone_label(name: str) -> str:
    """A zone's city, as a button label: America/New_York -> New York."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


class NudgeViews:
    def __init__(self, content: Content, pronoun: str | None) -> None:
        self.content = content
        self.pronoun = pronoun
        self.texts = content.nudges
        self.buttons = content.nudges.buttons

    def r(self, template: str) -> str:
        return render(template, self.pronoun)

    def offer(self, after_advice: bool = False) -> Reply:
        text = self.texts.offer_after_advice if after_advice else self.texts.offer
        b = self.buttons
        return Reply(self.r(text), ((Button(b.yes, "ng:on"), Button(b.not_now, "ng:no")),))

    def ask_time(self, text: str | None = None) -> Reply:
        b = self.buttons
        rows = tuple(
            (Button(label, f"ng:t:{key}"),)
            for key, label in (("morning", b.morning), ("midday", b.midday), ("evening", b.evening))
        )
        return Reply(self.r(text or self.texts.ask_time), rows)

    def ask_zone(self, text: str | None = None) -> Reply:
        zones = self.texts.zones
        buttons = [Button(choice.label, f"ng:z:{choice.name}") for choice in zones]
        rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
        return Reply(self.r(text or self.texts.ask_zone), rows)

    def choose_zone(self, names: list[str]) -> Reply:
        labels = {choice.name: choice.label for choice in self.texts.zones}
        rows = tuple((Button(labels.get(n, zone_label(n)), f"ng:z:{n}"),) for n in names)
        return Reply(self.r(self.texts.choose_zone), rows)

    def status(self, prefs: NudgePrefs, now: datetime, lead: str | None = None) -> Reply:
        """Whether nudges are on, when, and the next one in the person's own time."""
        t, b = self.texts, self.buttons
        if not prefs.enabled or prefs.at is None or prefs.zone is None:
            head = t.status_off if prefs.off_reason == "blocked" else t.offer
            return Reply(self.r(head), ((Button(b.yes, "ng:on"), Button(b.not_now, "ng:no")),))
        paused = prefs.paused_until is not None and prefs.paused_until > now
        lines = [self.r(lead) if lead else (t.status_paused if paused else t.status_on), ""]
        zone = f"{zone_label(prefs.zone)} {t.zone_suffix}"
        lines.append(f"{t.time_label}: <b>{prefs.at}</b> ({zone})")
        if paused and prefs.paused_until is not None:
            lines.append(f"{t.paused_until_label}: {local_when(prefs.paused_until, prefs.zone)}")
        if prefs.next_due is not None:
            lines.append(f"{t.next_label}: <b>{local_when(prefs.next_due, prefs.zone)}</b>")
        hold = Button(b.resume, "ng:resume") if paused else Button(b.pause, "ng:pause")
        rows = (
            (Button(b.change_time, "ng:time"), Button(b.change_zone, "ng:zone")),
            (hold, Button(b.stop, "ng:stop")),
        )
        return Reply("\n".join(lines), rows)

    def nudge(self, principle_index: int, variant: int) -> tuple[str, Reply]:
        """The day's nudge: (principle key, the message with its buttons)."""
        key = PRINCIPLES[principle_index]
        pool: tuple[str, ...] = getattr(self.texts.pool, key)
        topic = self.content.topic(key)
        text = f"{self.texts.heading}\n\n{topic.emoji} {self.r(pool[variant % len(pool)])}"
        b = self.buttons
        rows = (
            (Button(b.tell_more, f"ng:more:{key}"),),
            (Button(b.pause, "ng:pause"), Button(b.stop, "ng:stop")),
        )
        return key, Reply(text, rows)

    def plain(self, template: str) -> Reply:
        return Reply(self.r(template))
