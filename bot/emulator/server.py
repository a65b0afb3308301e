"""A Bot API emulator on 127.0.0.1: the real HTTP surface python-telegram-bot talks to.

It follows the Bot API documentation's JSON shapes and refuses what Telegram refuses (over-long
text, callback data over 64 bytes, malformed HTML, edits of missing messages, unchanged edits, stale
callback queries), so a conversation that works here works on Telegram. It also injects faults on
demand and counts requests. Simulated people (``emulator.person(...)``) send updates and read what
the bot sent them; see :mod:`bot.emulator.people`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from bot.content.html import HtmlParseError, parse_html, utf16_len

JSON = dict[str, Any]
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
# Fields PTB sends as JSON-encoded strings inside form data.
_JSON_FIELDS = {"reply_markup", "entities", "commands", "allowed_updates", "link_preview_options"}


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


_SENDS = frozenset({"sendmessage", "senddocument"})
# Bot API method names are case-insensitive; calls, errors and faults use these spellings.
_METHODS = {
    name.lower(): name
    for name in [
        "getMe",
        "logOut",
        "close",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "getUpdates",
        "setMyCommands",
        "getMyCommands",
        "sendChatAction",
        "sendMessage",
        "sendDocument",
        "editMessageText",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
    ]
}


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class Fault:
    """One injected failure: ``kind`` is ``"429"``, ``"500"`` or ``"slow"`` (sleep ``delay`` s)."""

    kind: str
    method: str | None = None
    chat_id: int | None = None
    remaining: int = 1
    retry_after: int = 1
    delay: float = 0.0

    def matches(self, method: str, chat_id: int | None) -> bool:
        return (
            self.remaining > 0
            and (self.method is None or self.method == method)
            and (self.chat_id is None or self.chat_id == chat_id)
        )


# When the request being handled reached the emulator (each request runs in its own task).
_ARRIVED: ContextVar[float | None] = ContextVar("arrived", default=None)


def _arrival() -> float:
    arrived = _ARRIVED.get()
    return time.monotonic() if arrived is None else arrived


@dataclass
class BotEvent:
    """Something the bot did in a chat, in order: ``message``, ``edit``, ``action``, ``answer``.

    ``at`` is when the bot's request arrived, before the emulator parsed it: the moment the bot
    sent it, whatever the emulator (standing in for Telegram) then spends on it.
    """

    kind: str
    chat_id: int
    payload: JSON
    at: float = field(default_factory=_arrival)


class BotApiEmulator:
    """An in-process Bot API server. ``await start()``, then point the bot at :attr:`base_url`."""

    def __init__(self, token: str = "123456:emulator-token-0123456789abcdefghij") -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Breathing Room",
            "username": "breathing_room_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.faults: list[Fault] = []
        # Telegram's broadcast limit: with ``send_limit`` set, more than that many messages in any
        # one-second window get 429 with retry_after, as Telegram answers a flood.
        self.send_limit: int | None = None
        self.rate_limited = 0  # 429s answered because of send_limit
        self._recent_sends: deque[float] = deque()
        self.blocked: set[int] = set()
        self.webhook: JSON | None = None  # what setWebhook asked for (url, secret_token)
        self.delivered_at: dict[int, float] = {}  # update_id -> first getUpdates that returned it
        self.commands: list[JSON] = []
        self.documents: dict[int, list[tuple[str, bytes]]] = defaultdict(list)
        self.events: dict[int, list[BotEvent]] = defaultdict(list)
        self.chats: dict[int, JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self.callback_queries: dict[str, JSON] = {}
        self.last_bot_activity = time.monotonic()
        self.on_request: Callable[[str, JSON], Awaitable[None]] | None = None
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._callback_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._new_event = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        """The server root, as the ``BOT_API_BASE_URL`` setting takes it."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._new_update.set()  # release long polls
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ people's side
    def next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def push_update(self, body: JSON) -> JSON:
        """Queue one update (``body`` without ``update_id``) for the bot's next getUpdates."""
        update = {"update_id": next(self._update_ids), **body}
        self._updates.append(update)
        self._new_update.set()
        return update

    def clear_updates(self) -> None:
        """Forget queued updates (a test that posts them to a webhook itself)."""
        self._updates.clear()

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    async def wait_event(self, chat_id: int, index: int, timeout: float = 10.0) -> BotEvent:
        """Wait until the chat has more than ``index`` events; return event number ``index``."""
        deadline = time.monotonic() + timeout
        async with self._new_event:
            while len(self.events[chat_id]) <= index:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"the bot sent nothing more to chat {chat_id} in {timeout}s")
                try:
                    await asyncio.wait_for(self._new_event.wait(), left)
                except TimeoutError:
                    continue
            return self.events[chat_id][index]

    async def settle(self, quiet: float = 0.25, timeout: float = 10.0) -> None:
        """Wait until every update was fetched and the bot has made no call for ``quiet`` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            idle = time.monotonic() - self.last_bot_activity
            if not self._updates and idle >= quiet:
                return
            await asyncio.sleep(min(quiet, 0.05))
        raise TimeoutError(f"the bot did not settle within {timeout}s")

    async def _record(self, event: BotEvent) -> None:
        async with self._new_event:
            self.events[event.chat_id].append(event)
            self._new_event.notify_all()

    # ------------------------------------------------------------------ HTTP
    async def _handle(self, request: web.Request) -> web.Response:
        _ARRIVED.set(time.monotonic())
        method = _METHODS.get(request.match_info["method"].lower(), request.match_info["method"])
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        self.calls[method] += 1
        if method.lower() != "getupdates":
            self.last_bot_activity = time.monotonic()
        try:
            params, files = await self._read_params(request)
            if self.on_request is not None:
                await self.on_request(method, params)
            await self._apply_faults(method, params)
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params, files)
        except ApiError as error:
            self.errors[f"{method}:{error.code}"] += 1
            return web.json_response(error.body(), status=error.code)
        finally:
            if method.lower() != "getupdates":
                self.last_bot_activity = time.monotonic()
        return web.json_response({"ok": True, "result": result})

    async def _read_params(self, request: web.Request) -> tuple[JSON, dict[str, tuple[str, bytes]]]:
        params: JSON = {}
        files: dict[str, tuple[str, bytes]] = {}
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.read() or b"{}")
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                raise bad_request("can't parse JSON object") from error
            return (body if isinstance(body, dict) else {}), files
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name or ""
                if part.filename:
                    files[name] = (part.filename, bytes(await part.read()))
                else:
                    params[name] = await part.text()
        else:
            form = await request.post()
            params = {key: value for key, value in form.items() if isinstance(value, str)}
        for key in list(params):
            if key in _JSON_FIELDS and isinstance(params[key], str):
                try:
                    params[key] = json.loads(params[key])
                except json.JSONDecodeError as error:
                    raise bad_request(f"can't parse {key} JSON object") from error
        return params, files

    async def _apply_faults(self, method: str, params: JSON) -> None:
        chat_id = _optional_int(params.get("chat_id"))
        if chat_id is not None and chat_id in self.blocked and method.lower() != "getupdates":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.send_limit is not None and method.lower() in _SENDS:
            now = time.monotonic()
            while self._recent_sends and now - self._recent_sends[0] >= 1.0:
                self._recent_sends.popleft()
            if len(self._recent_sends) >= self.send_limit:
                self.rate_limited += 1
                raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
            self._recent_sends.append(now)
        for fault in self.faults:
            if not fault.matches(method, chat_id):
                continue
            fault.remaining -= 1
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "429":
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    retry_after=fault.retry_after,
                )
            elif fault.kind == "500":
                raise ApiError(500, "Internal Server Error")
            return

    # ------------------------------------------------------------------ API methods
    async def _api_getme(self, params: JSON, files: Any) -> JSON:
        return self.bot_user

    async def _api_logout(self, params: JSON, files: Any) -> bool:
        return True

    async def _api_close(self, params: JSON, files: Any) -> bool:
        return True

    async def _api_setwebhook(self, params: JSON, files: Any) -> bool:
        url = str(params.get("url") or "")
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        self.webhook = {"url": url, "secret_token": secret}
        if _bool(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    async def _api_deletewebhook(self, params: JSON, files: Any) -> bool:
        self.webhook = None
        if _bool(params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    async def _api_getwebhookinfo(self, params: JSON, files: Any) -> JSON:
        url = self.webhook["url"] if self.webhook else ""
        return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}

    async def _api_getupdates(self, params: JSON, files: Any) -> list[JSON]:
        offset = _optional_int(params.get("offset")) or 0
        limit = min(max(_optional_int(params.get("limit")) or 100, 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), 50.0)
        if offset > 0:  # confirm everything before offset, as Telegram does
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        deadline = time.monotonic() + timeout
        while not self._updates:
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), left)
            except TimeoutError:
                return []
            if self._runner is None:
                return []
        allowed = params.get("allowed_updates")
        batch = self._updates[:limit]
        if allowed:
            batch = [u for u in batch if any(k in u for k in allowed)]
        if batch:  # the bot now works on these: settle() waits for quiet after this, too
            self.last_bot_activity = now = time.monotonic()
            for update in batch:  # when the bot first had each update (benchmarks' latency)
                self.delivered_at.setdefault(update["update_id"], now)
        return batch

    async def _api_setmycommands(self, params: JSON, files: Any) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH" if commands else "commands must be an array")
        for command in commands:
            name = str(command.get("command", ""))
            if not (1 <= len(name) <= 32) or not all(
                c.islower() or c.isdigit() or c == "_" for c in name
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not (1 <= len(str(command.get("description", ""))) <= 256):
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = commands
        return True

    async def _api_getmycommands(self, params: JSON, files: Any) -> list[JSON]:
        return self.commands

    async def _api_sendchataction(self, params: JSON, files: Any) -> bool:
        chat_id = self._known_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        await self._record(BotEvent("action", chat_id, {"action": params["action"]}))
        return True

    async def _api_sendmessage(self, params: JSON, files: Any) -> JSON:
        chat_id = self._known_chat(params)
        text, entities = _formatted(params, "text", MAX_TEXT)
        message = self._new_bot_message(chat_id, params)
        message["text"] = text
        if entities:
            message["entities"] = entities
        message["_html"] = params.get("text", "")
        return await self._store_and_record("message", message)

    async def _api_senddocument(self, params: JSON, files: dict[str, tuple[str, bytes]]) -> JSON:
        chat_id = self._known_chat(params)
        if "document" not in files:
            raise bad_request("there is no document in the request")
        name, data = files["document"]
        if not data:
            raise bad_request("file must be non-empty")
        message = self._new_bot_message(chat_id, params)
        unique = f"doc{chat_id}_{message['message_id']}"
        message["document"] = {
            "file_id": unique,
            "file_unique_id": unique,
            "file_name": name,
            "file_size": len(data),
        }
        if params.get("caption"):
            caption, entities = _formatted(params, "caption", MAX_CAPTION)
            message["caption"] = caption
            if entities:
                message["caption_entities"] = entities
        self.documents[chat_id].append((name, data))
        return await self._store_and_record("message", message)

    async def _api_editmessagetext(self, params: JSON, files: Any) -> JSON:
        message = self._editable(params)
        text, entities = _formatted(params, "text", MAX_TEXT)
        markup = _markup(params)
        if (
            text == message.get("text")
            and entities == message.get("entities", [])
            and (markup == message.get("reply_markup"))
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message["text"], message["_html"] = text, params.get("text", "")
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return await self._store_and_record("edit", message)

    async def _api_editmessagereplymarkup(self, params: JSON, files: Any) -> JSON:
        message = self._editable(params)
        markup = _markup(params)
        if markup == message.get("reply_markup"):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return await self._store_and_record("edit", message)

    async def _api_answercallbackquery(self, params: JSON, files: Any) -> bool:
        query = self.callback_queries.get(str(params.get("callback_query_id", "")))
        if query is None or query["answered"] or time.monotonic() - query["at"] > 15 * 60:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query["answered"] = True
        await self._record(
            BotEvent("answer", query["chat_id"], {"id": query["id"], "text": params.get("text")})
        )
        return True

    # ------------------------------------------------------------------ helpers
    def _known_chat(self, params: JSON) -> int:
        chat_id = _optional_int(params.get("chat_id"))
        if chat_id is None or chat_id not in self.chats:
            raise bad_request("chat not found")
        return chat_id

    def _new_bot_message(self, chat_id: int, params: JSON) -> JSON:
        message: JSON = {
            "message_id": self.next_message_id(chat_id),
            "from": self.bot_user,
            "chat": self.chats[chat_id],
            "date": int(time.time()),
        }
        markup = _markup(params)
        if markup:
            message["reply_markup"] = markup
        return message

    def _editable(self, params: JSON) -> JSON:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat_id = self._known_chat(params)
        message_id = _optional_int(params.get("message_id"))
        message = self.messages.get((chat_id, message_id or 0))
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        return message

    async def _store_and_record(self, kind: str, message: JSON) -> JSON:
        chat_id = message["chat"]["id"]
        self.messages[(chat_id, message["message_id"])] = message
        await self._record(BotEvent(kind, chat_id, json.loads(json.dumps(message))))
        return {k: v for k, v in message.items() if not k.startswith("_")}

    def register_callback_query(self, query: JSON, chat_id: int) -> None:
        self.callback_queries[query["id"]] = {
            "id": query["id"],
            "chat_id": chat_id,
            "answered": False,
            "at": time.monotonic(),
        }

    def new_callback_id(self) -> str:
        return str(next(self._callback_ids) * 7919 + 1_000_000)


def _optional_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool:
    return str(value).lower() in {"true", "1"}


def _formatted(params: JSON, name: str, limit: int) -> tuple[str, list[JSON]]:
    raw = params.get(name)
    if not isinstance(raw, str) or not raw.strip():
        raise bad_request(f"message {name} is empty")
    if str(params.get("parse_mode") or "").upper() == "HTML":
        try:
            text, entities = parse_html(raw)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error}") from error
    else:
        text, entities = raw, list(params.get("entities") or [])
    if not text.strip():
        raise bad_request(f"message {name} is empty")
    if utf16_len(text) > limit:
        raise bad_request(
            "message is too long" if name == "text" else "message caption is too long"
        )
    return text, entities


def _markup(params: JSON) -> JSON | None:
    markup = params.get("reply_markup")
    if not markup:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup  # reply keyboards and removals are passed through
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise bad_request("text buttons are unallowed in the inline keyboard")
            kinds = [k for k in button if k != "text"]
            if len(kinds) != 1:
                raise bad_request("BUTTON_TYPE_INVALID")
            if "callback_data" in button:
                data = str(button["callback_data"]).encode()
                if not 1 <= len(data) <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
    return {"inline_keyboard": rows} if not rows else markup
