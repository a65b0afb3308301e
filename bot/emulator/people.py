"""Simulated people: they send messages, press buttons on what the bot really sent, and read replies."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from bot.emulator.server import JSON, BotApiEmulator, BotEvent

_file_ids = itertools.count(1)


@dataclass(frozen=True)
class Button:
    text: str
    data: str | None


@dataclass
class Shown:
    """A bot message as the person sees it now (edits applied)."""

    message_id: int
    text: str
    html: str
    buttons: list[list[Button]]
    copyable: list[str]  # code entities: what Telegram lets a person tap to copy
    kind: str  # "message" or "edit"
    document: JSON | None = None

    @property
    def labels(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def button(self, label: str) -> Button:
        for row in self.buttons:
            for button in row:
                if button.text == label or label.lower() in button.text.lower():
                    return button
        raise LookupError(f"no button {label!r} on message {self.message_id}: {self.labels}")


def shown(event: BotEvent) -> Shown:
    message = event.payload
    text = message.get("text") or message.get("caption") or ""
    entities = message.get("entities") or message.get("caption_entities") or []
    utf16 = text.encode("utf-16-le")
    copyable = [
        utf16[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in entities
        if e["type"] in {"code", "pre"}
    ]
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    buttons = [[Button(b["text"], b.get("callback_data")) for b in row] for row in rows]
    return Shown(
        message_id=message["message_id"],
        text=text,
        html=str(message.get("_html", text)),
        buttons=buttons,
        copyable=copyable,
        kind=event.kind,
        document=message.get("document"),
    )


class Person:
    """One Telegram user in a private chat (or, with ``chat``, in a group) with the bot."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        user_id: int,
        first_name: str = "Sam",
        chat: JSON | None = None,
        language_code: str = "en",
    ) -> None:
        self.emulator = emulator
        self.user: JSON = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        self.chat: JSON = chat or {"id": user_id, "type": "private", "first_name": first_name}
        emulator.chats.setdefault(self.chat["id"], self.chat)
        self._cursor = 0

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    # ------------------------------------------------------------------ sending
    def _message(self, **content: Any) -> JSON:
        message_id = self.emulator.next_message_id(self.chat_id)
        message: JSON = {
            "message_id": message_id,
            "from": self.user,
            "chat": self.chat,
            "date": int(time.time()),
            **content,
        }
        self.emulator.messages[(self.chat_id, message_id)] = message
        return message

    def send(self, text: str) -> JSON:
        """Send a text message; a leading ``/word`` is marked as a command, as Telegram does."""
        content: JSON = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [
                {
                    "type": "bot_command",
                    "offset": 0,
                    "length": len(command.encode("utf-16-le")) // 2,
                }
            ]
        return self.emulator.push_update({"message": self._message(**content)})

    def send_content(self, kind: str) -> JSON:
        """Send a non-text message: ``sticker``, ``photo``, ``voice``, ``location`` or ``contact``."""
        file_id = f"file{next(_file_ids)}"
        shapes: dict[str, JSON] = {
            "sticker": {
                "sticker": {
                    "file_id": file_id,
                    "file_unique_id": file_id,
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": "🙂",
                }
            },
            "photo": {
                "photo": [
                    {"file_id": file_id, "file_unique_id": file_id, "width": 90, "height": 90}
                ]
            },
            "voice": {"voice": {"file_id": file_id, "file_unique_id": file_id, "duration": 3}},
            "location": {"location": {"latitude": 51.5, "longitude": -0.12}},
            "contact": {"contact": {"phone_number": "+10000000000", "first_name": "Alex"}},
        }
        return self.emulator.push_update({"message": self._message(**shapes[kind])})

    def send_raw(self, **content: Any) -> JSON:
        """Send a message with exactly these fields (no text, odd shapes): what clients can send."""
        return self.emulator.push_update({"message": self._message(**content)})

    def edit(self, sent: JSON, text: str) -> JSON:
        """Edit a message this person sent earlier (``sent`` is the update ``send`` returned)."""
        message = {**sent["message"], "text": text, "edit_date": int(time.time())}
        return self.emulator.push_update({"edited_message": message})

    def channel_post(self, text: str) -> JSON:
        """A post in a channel where the bot is a member (channel posts have no sender)."""
        message = self._message(text=text)
        message.pop("from", None)
        return self.emulator.push_update({"channel_post": message})

    def set_blocked(self, blocked: bool) -> JSON:
        """Block or unblock the bot: Telegram then sends a my_chat_member update."""
        (self.emulator.blocked.add if blocked else self.emulator.blocked.discard)(self.chat_id)
        old, new = ("member", "kicked") if blocked else ("kicked", "member")

        def member(status: str) -> JSON:  # Telegram always sends until_date for "kicked"
            extra = {"until_date": 0} if status == "kicked" else {}
            return {"user": self.emulator.bot_user, "status": status, **extra}

        return self.emulator.push_update(
            {
                "my_chat_member": {
                    "chat": self.chat,
                    "from": self.user,
                    "date": int(time.time()),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    def press(self, label: str, on: Shown | None = None) -> JSON:
        """Press the button labelled ``label`` on ``on`` (default: the newest message that has it)."""
        target = on or self.find_button_message(label)
        button = target.button(label)
        return self.press_data(button.data or "", target.message_id)

    def press_data(self, data: str, message_id: int) -> JSON:
        """Send a callback query with raw ``data`` (also forged data) from message ``message_id``."""
        message = self.emulator.messages.get((self.chat_id, message_id))
        query: JSON = {
            "id": self.emulator.new_callback_id(),
            "from": self.user,
            "chat_instance": f"ci{self.chat_id}",
            "data": data,
        }
        if message is not None:
            query["message"] = {k: v for k, v in message.items() if not k.startswith("_")}
        self.emulator.register_callback_query(query, self.chat_id)
        return self.emulator.push_update({"callback_query": query})

    def find_button_message(self, label: str) -> Shown:
        for event in reversed(self.emulator.events[self.chat_id]):
            if event.kind not in {"message", "edit"}:
                continue
            current = self.current(event.payload["message_id"])
            try:
                current.button(label)
            except LookupError:
                continue
            return current
        raise LookupError(f"no message in chat {self.chat_id} has a button {label!r}")

    def current(self, message_id: int) -> Shown:
        """The message as it stands now, after any edits."""
        message = self.emulator.messages[(self.chat_id, message_id)]
        return shown(BotEvent("message", self.chat_id, message))

    # ------------------------------------------------------------------ reading
    async def reply(self, timeout: float = 10.0) -> Shown:
        """The next message the bot sent or edited in this chat (typing indicators skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            event = await self.emulator.wait_event(
                self.chat_id, self._cursor, max(deadline - time.monotonic(), 0.01)
            )
            self._cursor += 1
            if event.kind in {"message", "edit"}:
                return shown(event)

    async def replies(self, count: int, timeout: float = 10.0) -> list[Shown]:
        return [await self.reply(timeout) for _ in range(count)]

    def unread(self) -> list[BotEvent]:
        """Events since the last read, without waiting; marks them read."""
        events = self.emulator.events[self.chat_id][self._cursor :]
        self._cursor += len(events)
        return events

    def actions(self) -> list[str]:
        return [
            e.payload["action"] for e in self.emulator.events[self.chat_id] if e.kind == "action"
        ]

    def answers(self) -> list[BotEvent]:
        return [e for e in self.emulator.events[self.chat_id] if e.kind == "answer"]
