"""Render what the bot says when safety comes first: help, /sos, grounding and the safety plan.

Callback data: ``sos`` (the help menu), ``safe`` (continue once safe), ``gr:<n>`` (grounding step
n), ``sp`` (write or update the safety plan), ``sp:skip`` (skip a plan section), ``ck:self``,
``ck:hurt`` and ``ck:safe`` (the answers to the check question), ``ap:<n>`` (step n of the
safety plan for someone whose partner hurts or controls them), ``hc`` / ``hc:<country>`` (where
do you live? and the help lines there).
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from bot.content.loader import Content
from bot.content.pronouns import render
from bot.content.safety import HelplineCountry
from bot.engine.model import Button, Reply

PLAN_SECTION_MAX = 600  # characters kept per section: five sections stay within one message
_ICONS = {"crisis": "💬", "abuse": "🏠"}


class SafetyViews:
    def __init__(self, content: Content, country: str) -> None:
        self.content = content
        self.texts = content.safety
        self.buttons = content.safety.buttons
        self.country: HelplineCountry = content.helplines.get(country, content.helplines["INTL"])
        self.elsewhere = content.helplines["INTL"] if country != "INTL" else None

    # ------------------------------------------------------------------ help
    def helplines(self) -> str:
        """The help block: emergency number, crisis and abuse lines, and the international line."""
        country = self.country
        lines = [
            f"<b>{self.texts.help_heading}</b>",
            f"🚨 {self.texts.emergency_label} <b>{html.escape(country.emergency)}</b>",
        ]
        for line in country.lines:
            lines.append(
                f"{_ICONS[line.kind]} <b>{html.escape(line.name)}</b>: {html.escape(line.how)}"
            )
        if self.elsewhere is not None:
            how = "; ".join(html.escape(line.how) for line in self.elsewhere.lines)
            lines.append(f"🌍 {self.texts.elsewhere_label}: {how}")
        return "\n".join(lines)

    def hit(self, risk: str, urgent: bool = False, ask_country: bool = False) -> Reply:
        """The reply to a message that shows a crisis or abuse: caring words and help, together.

        An act under way (``urgent``) gets the emergency number first, before anything else.
        """
        opening = self.texts.crisis_reply if risk == "crisis" else self.texts.abuse_reply
        parts = [opening, self.helplines(), self.texts.after_help]
        if urgent:
            emergency = html.escape(self.country.emergency)
            parts.insert(
                0, f"🚨 {self.texts.urgent_first} <b>{emergency}</b> {self.texts.urgent_after}"
            )
        text = "\n\n".join(parts)
        keyboard: tuple[tuple[Button, ...], ...] = (
            (Button(self.buttons.more_help, "sos"),),
            (Button(self.buttons.safe_now, "safe"),),
        )
        if risk == "abuse":
            keyboard = ((Button(self.buttons.abuse_plan, "ap:0"),), *keyboard)
        if ask_country:  # asked once: the lines where they live, the domestic-abuse line among them
            keyboard = (*keyboard, (Button(self.buttons.country, "hc"),))
        return Reply(text, keyboard)

    def country_question(self) -> Reply:
        """Where do you live? One button per country with its own lines, and somewhere else."""
        rows = [
            (Button(country.name, f"hc:{code}"),)
            for code, country in self.content.helplines.items()
            if code != "INTL"
        ]
        rows.append((Button(self.buttons.country_other, "hc:INTL"),))
        return Reply(self.texts.country_question, tuple(rows))

    def abuse_plan_step(self, step: int) -> Reply:
        """The domestic-abuse safety plan, one step at a time (nothing the person types is kept)."""
        plan = self.content.abuse_plan
        parts = [render(plan.intro, None)] if step == 0 else []
        parts.append(render(plan.steps[step], None))
        if step + 1 < len(plan.steps):
            keyboard = ((Button(self.buttons.next, f"ap:{step + 1}"),),)
        else:
            parts.append(render(plan.done, None))
            keyboard = ((Button(self.buttons.more_help, "sos"),),)
        return Reply("\n\n".join(parts), keyboard)

    def check(self) -> Reply:
        """A real but uncertain signal: ask plainly, with an answer a tap away."""
        keyboard = (
            (Button(self.buttons.check_self, "ck:self"),),
            (Button(self.buttons.check_hurt, "ck:hurt"),),
            (Button(self.buttons.check_safe, "ck:safe"),),
        )
        return Reply(self.texts.check_question, keyboard)

    def sos(self, plan: Mapping[str, str]) -> tuple[Reply, ...]:
        menu = Reply(
            "\n\n".join([self.texts.sos_intro, self.helplines()]),
            (
                (Button(self.buttons.grounding, "gr:0"),),
                (Button(self.buttons.plan_update if plan else self.buttons.plan_write, "sp"),),
                (Button(self.buttons.okay_now, "safe"),),
            ),
        )
        return (menu, self.plan_readback(plan)) if plan else (menu,)

    # ------------------------------------------------------------------ grounding
    def grounding(self, step: int) -> Reply:
        steps = self.texts.grounding
        if step < len(steps) - 1:
            return Reply(steps[step], ((Button(self.buttons.next, f"gr:{step + 1}"),),))
        return Reply(
            steps[-1],
            (
                (Button(self.buttons.plan_write, "sp"),),
                (Button(self.buttons.okay_now, "safe"),),
            ),
        )

    # ------------------------------------------------------------------ safety plan
    def plan_prompt(self, section: int, intro: bool = False, danger: bool = False) -> Reply:
        parts = [self.texts.plan_intro] if intro else []
        if danger:
            parts.append(f"{self.texts.plan_danger} <b>{html.escape(self.country.emergency)}</b>.")
        parts.append(self.texts.plan_sections[section].prompt)
        return Reply("\n\n".join(parts), ((Button(self.buttons.plan_skip, "sp:skip"),),))

    def plan_readback(self, plan: Mapping[str, str], saved: bool = False) -> Reply:
        parts = [f"📝 <b>{self.texts.plan_heading}</b>"]
        for section in self.texts.plan_sections:
            if plan.get(section.key):
                parts.append(f"<b>{section.label}</b>\n{html.escape(plan[section.key])}")
        if saved:
            parts.append(self.texts.plan_saved)
        keyboard = (
            (Button(self.buttons.plan_update, "sp"),),
            (Button(self.buttons.okay_now, "safe"),),
        )
        return Reply("\n\n".join(parts), keyboard)

    def trimmed_note(self) -> str:
        return self.texts.plan_trimmed
