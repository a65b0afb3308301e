"""bot/shell/http.py: python-telegram-bot's requests over aiohttp behave as PTB's httpx ones do."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.emulator import BotApiEmulator, Fault, Person
from bot.shell.http import AiohttpRequest

TOKEN = "123456:emulator-token-0123456789abcdefghij"


@pytest.fixture
async def bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(
        emulator.token, base_url=f"{emulator.base_url}/bot", request=AiohttpRequest(4)
    ) as running:
        yield running


class Recorder:
    """A bare HTTP server on 127.0.0.1 that keeps every request and answers like the Bot API."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.requests: list[tuple[str, str, bytes]] = []  # method, content type, body
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append(
            (request.match_info["method"], request.content_type, await request.read())
        )
        await asyncio.sleep(self.delay)
        result = {"id": 1, "is_bot": True, "first_name": "B", "username": "b_bot"}
        return web.json_response({"ok": True, "result": result})

    async def __aenter__(self) -> Recorder:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/bot"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


async def test_a_message_goes_out_as_json_with_its_keyboard_as_an_object() -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("That helps", callback_data="fb:1")]])
    async with (
        Recorder() as server,
        Bot(TOKEN, base_url=server.url, request=AiohttpRequest()) as bot,
    ):
        await bot.do_api_request(
            "sendmessage", api_kwargs={"chat_id": 5, "text": "héllo 💛", "reply_markup": keyboard}
        )
    method, content_type, body = server.requests[-1]
    assert method == "sendmessage" and content_type == "application/json"
    assert json.loads(body) == {
        "chat_id": 5,
        "text": "héllo 💛",
        "reply_markup": {"inline_keyboard": [[{"text": "That helps", "callback_data": "fb:1"}]]},
    }


async def test_a_document_is_uploaded_as_multipart(emulator, bot) -> None:
    someone = Person(emulator, 77, "Ann")
    await bot.send_document(
        someone.chat_id,
        InputFile(b'{"you": "data"}', filename="mine.json"),
        caption="<b>Your data</b>",
        parse_mode="HTML",
    )
    assert emulator.documents[someone.chat_id] == [("mine.json", b'{"you": "data"}')]
    assert (await someone.reply()).text == "Your data"


async def test_telegram_refusals_keep_their_ptb_errors(emulator, bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "to nobody")


async def test_an_answer_slower_than_the_read_timeout_is_timed_out(emulator) -> None:
    someone = Person(emulator, 78, "Bo")
    emulator.faults.append(Fault("slow", method="sendMessage", delay=1.0))
    request = AiohttpRequest(read_timeout=0.2)
    async with Bot(emulator.token, base_url=f"{emulator.base_url}/bot", request=request) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(someone.chat_id, "late")
        await bot.send_message(someone.chat_id, "on time")  # the pool still works
    assert (await someone.reply()).text == "on time"


async def test_a_busy_pool_times_out_without_sending() -> None:
    async with Recorder(delay=1.0) as server:
        request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.1, connect_timeout=0.1)
        async with Bot(TOKEN, base_url=server.url, request=request) as bot:
            slow = asyncio.create_task(bot.do_api_request("getme"))
            await asyncio.sleep(0.2)  # the only connection is busy
            with pytest.raises(TimedOut, match="not sent"):
                await bot.do_api_request("getme")
            await slow
        assert len(server.requests) == 2  # bot.initialize()'s getMe and the slow one, not the third


async def test_a_refused_connection_is_a_network_error_naming_the_cause() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match=r"aiohttp\.Client\w*Error"):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()


async def test_it_can_be_shut_down_twice_and_started_again(emulator) -> None:
    request = AiohttpRequest()
    url = f"{emulator.base_url}/bot{emulator.token}/getMe"
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps the RuntimeError
        await request.post(url)
    await request.initialize()
    await request.shutdown()
    await request.shutdown()
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps the RuntimeError
        await request.post(url)
    await request.initialize()
    try:
        assert (await request.post(url))["is_bot"] is True
        assert request.read_timeout == 5.0
    finally:
        await request.shutdown()
