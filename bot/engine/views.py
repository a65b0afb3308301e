"""Render the engine's messages from content: texts, buttons and callback data, no I/O.

Callback data is short and self-describing (Telegram allows 64 bytes):
``pr:<pronoun>`` pronoun at onboarding, ``st:pr:<pronoun>`` pronoun from /settings,
``sit:<situation>``, ``pick:<principle>``, ``own`` (describe in my own words),
``why:<n>`` / ``say:<n>`` / ``ang:<n>`` / ``fb:y:<n>`` / ``fb:n:<n>`` act on advice number n,
``restart``, ``pp`` / ``pp:<topic>`` browse principles, ``fg:yes`` / ``fg:no`` confirm /forget.
"""

from __future__ import annotations

import html

from bot.content.loader import CLOSING_IDEA, PRINCIPLES, Content
from bot.content.pronouns import render
from bot.engine.model import Button, Keyboard, Reply

# The first part of every callback data the engine writes (see the module docstring).
BUTTON_KINDS = frozenset(
    {"pr", "st", "sit", "pick", "own", "why", "say", "ang", "fb", "restart", "pp", "fg"}
    | {"sos", "safe", "gr", "sp", "ck", "ab", "ap", "hc"}  # safety: safety_views, listening
    | {"ng"}  # daily nudges: see bot/engine/nudge_views.py
)


class Views:
    """Builds replies for one person's pronoun from validated content."""

    def __init__(self, content: Content, pronoun: str | None) -> None:
        self.content = content
        self.pronoun = pronoun
        self.texts = content.texts
        self.buttons = content.buttons

    def r(self, template: str) -> str:
        return render(template, self.pronoun)

    # ------------------------------------------------------------------ onboarding
    def welcome(self) -> Reply:
        return Reply(self.r(self.texts.welcome))

    def pronoun_question(self, text: str | None = None) -> Reply:
        b = self.buttons
        row = (
            Button(b.pronoun_he, "pr:he"),
            Button(b.pronoun_she, "pr:she"),
            Button(b.pronoun_they, "pr:they"),
        )
        return Reply(self.r(text or self.texts.ask_pronoun), (row,))

    def situation_menu(self, text: str | None = None) -> Reply:
        rows = [(Button(self.r(s.label), f"sit:{s.key}"),) for s in self.content.situations]
        rows.append((Button(self.buttons.own_words, "own"),))
        return Reply(self.r(text or self.texts.ask_situation), tuple(rows))

    # ------------------------------------------------------------------ advice
    def advice_keyboard(self, number: int) -> Keyboard:
        """Three buttons under a card: why it helps, how to say it, another idea."""
        b = self.buttons
        return (
            (Button(b.why, f"why:{number}"), Button(b.say_it, f"say:{number}")),
            (Button(b.another_angle, f"ang:{number}"),),
        )

    def feedback_keyboard(self, number: int) -> Keyboard:
        """Under what follows a card (why, how to say it): did it help, and ways on."""
        b = self.buttons
        return (
            (Button(b.helps, f"fb:y:{number}"), Button(b.not_quite, f"fb:n:{number}")),
            (Button(b.another_angle, f"ang:{number}"), Button(b.start_over, "restart")),
        )

    def advice(
        self,
        principle: str,
        number: int,
        tip: str,
        draft: int = 0,
        also: str | None = None,
        closing: bool = False,
    ) -> Reply:
        """The card for ``principle``: what to try and what to send, small enough for one phone
        screen; why it helps is one tap away. ``also`` names a second issue the message raised;
        ``closing`` adds the closing idea (once in a while, not on every card)."""
        topic = self.content.topic(principle)
        t = self.texts
        chosen = topic.drafts[draft % len(topic.drafts)]
        parts = [
            f"{topic.emoji} <b>{self.r(topic.name)}</b>",
            f"<b>{t.advice_tip_heading}</b>\n{self.r(tip)}",
            f"<b>{t.advice_send_heading}</b>\n<code>{html.escape(self.r(chosen.text), quote=False)}</code>",
        ]
        if closing and principle != CLOSING_IDEA:
            parts.append(f"<i>{self.r(t.advice_closing)}</i>")
        if also is not None:
            second = self.content.topic(also)
            parts.append(f"{self.r(t.advice_also)} {second.emoji} {self.r(second.name)}")
        return Reply("\n\n".join(parts), self.advice_keyboard(number))

    def why(self, why: str, number: int) -> Reply:
        text = f"<b>{self.texts.advice_why_heading}</b>\n{self.r(why)}"
        return Reply(text, self.feedback_keyboard(number))

    def draft(self, principle: str, number: int, draft: int) -> Reply:
        topic = self.content.topic(principle)
        chosen = topic.drafts[draft % len(topic.drafts)]
        text = (
            f"{self.r(self.texts.another_draft)} (<i>{html.escape(chosen.tone.lower(), quote=False)}</i>):\n\n"
            f"<code>{html.escape(self.r(chosen.text), quote=False)}</code>"
        )
        versions = self.content.listening.get(principle)  # type: ignore[call-overload]
        if versions is not None:  # not everyone texts: in person, and after a fight
            t = self.texts
            text += (
                f"\n\n<b>{t.say_face_to_face}</b>\n<i>{self.r(versions.face_to_face)}</i>"
                f"\n\n<b>{t.say_after_fight}</b>\n<code>{html.escape(self.r(versions.after_fight), quote=False)}</code>"
            )
        return Reply(text, self.feedback_keyboard(number))

    def clarify(self, candidates: list[str]) -> Reply:
        rows = [
            (
                Button(
                    f"{self.content.topic(p).emoji} {self.r(self.content.topic(p).short)}",
                    f"pick:{p}",
                ),
            )
            for p in candidates
        ]
        rows.append((Button(self.buttons.none_of_these, "own"),))
        return Reply(self.r(self.texts.clarify), tuple(rows))

    def after_feedback(self, helpful: bool, number: int) -> Reply:
        b = self.buttons
        if helpful:
            return Reply(
                self.r(self.texts.thanks_helpful),
                ((Button(b.start_over, "restart"), Button(b.browse, "pp")),),
            )
        return Reply(
            self.r(self.texts.thanks_not_quite),
            (
                (Button(b.another_angle, f"ang:{number}"),),
                (Button(b.own_words, "own"),),
                (Button(b.start_over, "restart"),),
            ),
        )

    def last_angle(self) -> Reply:
        b = self.buttons
        return Reply(
            self.r(self.texts.last_angle),
            ((Button(b.own_words, "own"),), (Button(b.start_over, "restart"),)),
        )

    # ------------------------------------------------------------------ browsing and settings
    def principles_list(self, edit: bool = False) -> Reply:
        rows = []
        for key in (*PRINCIPLES, CLOSING_IDEA):
            topic = self.content.topic(key)
            rows.append((Button(f"{topic.emoji} {self.r(topic.name)}", f"pp:{key}"),))
        return Reply(self.r(self.texts.principles_intro), tuple(rows), edit=edit)

    def principle_detail(self, key: str) -> Reply:
        topic = self.content.topic(key)
        t = self.texts
        text = "\n\n".join(
            [
                f"{topic.emoji} <b>{self.r(topic.name)}</b>",
                self.r(topic.summary),
                f"<b>{t.advice_tip_heading}</b>\n{self.r(topic.tip)}",
                f"<b>{t.principle_reflection_heading}</b>\n<i>{self.r(topic.reflection)}</i>",
            ]
        )
        return Reply(text, ((Button(self.buttons.back, "pp"),),), edit=True)

    def settings(self, edit: bool = False) -> Reply:
        b = self.buttons
        row = tuple(
            Button(("✓ " if self.pronoun == p else "") + label, f"st:pr:{p}")
            for p, label in (("he", b.pronoun_he), ("she", b.pronoun_she), ("they", b.pronoun_they))
        )
        nudges = (Button(self.content.nudges.buttons.menu, "ng:menu"),)
        return Reply(self.r(self.texts.settings), (row, nudges), edit=edit)

    def forget_question(self) -> Reply:
        b = self.buttons
        return Reply(
            self.r(self.texts.forget_ask),
            ((Button(b.forget_confirm, "fg:yes"), Button(b.forget_keep, "fg:no")),),
        )

    def plain(self, template: str, edit: bool = False) -> Reply:
        return Reply(self.r(template), edit=edit)
