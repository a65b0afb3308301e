"""The Bot API emulator answers like Telegram: the documented shapes, and the same refusals."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.html import HtmlParseError, parse_html
from bot.emulator import BotApiEmulator, Fault, Person


async def call(emulator: BotApiEmulator, method: str, token: str | None = None, **params):
    url = f"{emulator.base_url}/bot{token or emulator.token}/{method}"
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with httpx.AsyncClient() as client:
        response = await client.post(url, data=form, timeout=10)
    return response.status_code, response.json()


async def test_get_me_has_the_documented_shape(emulator):
    status, body = await call(emulator, "getMe")
    assert status == 200 and body["ok"] is True
    assert body["result"]["is_bot"] is True and isinstance(body["result"]["id"], int)


async def test_wrong_token_is_unauthorized(emulator):
    status, body = await call(emulator, "getMe", token="1:nope")
    assert status == 401 and body == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_get_updates_confirms_with_offset_and_long_polls(emulator):
    someone = Person(emulator, 5, "Five")
    someone.send("/start")
    someone.send("hello")
    _, first = await call(emulator, "getUpdates")
    ids = [u["update_id"] for u in first["result"]]
    assert len(ids) == 2 and first["result"][0]["message"]["entities"][0]["type"] == "bot_command"
    assert isinstance(first["result"][0]["message"]["date"], int)
    _, confirmed = await call(emulator, "getUpdates", offset=str(ids[-1] + 1), timeout="0")
    assert confirmed["result"] == []

    async def later() -> None:
        await asyncio.sleep(0.2)
        someone.send("late")

    task = asyncio.create_task(later())
    _, waited = await call(emulator, "getUpdates", offset=str(ids[-1] + 1), timeout="5")
    await task
    assert [u["message"]["text"] for u in waited["result"]] == ["late"]


async def test_send_message_refusals_match_telegram(emulator):
    Person(emulator, 6, "Six")
    ok = await call(emulator, "sendMessage", chat_id="6", text="<b>hi</b>", parse_mode="HTML")
    assert ok[0] == 200 and ok[1]["result"]["entities"][0]["type"] == "bold"
    too_long = await call(emulator, "sendMessage", chat_id="6", text="x" * 4097)
    assert too_long[0] == 400 and "too long" in too_long[1]["description"]
    broken = await call(emulator, "sendMessage", chat_id="6", text="<b>hi", parse_mode="HTML")
    assert broken[0] == 400 and "can't parse entities" in broken[1]["description"]
    big_data = {"inline_keyboard": [[{"text": "x", "callback_data": "d" * 65}]]}
    button = await call(emulator, "sendMessage", chat_id="6", text="hi", reply_markup=big_data)
    assert button[0] == 400 and "BUTTON_DATA_INVALID" in button[1]["description"]
    nobody = await call(emulator, "sendMessage", chat_id="999", text="hi")
    assert nobody[0] == 400 and "chat not found" in nobody[1]["description"]
    empty = await call(emulator, "sendMessage", chat_id="6", text="  ")
    assert empty[0] == 400


async def test_edits_refuse_missing_and_unchanged_messages(emulator):
    Person(emulator, 7, "Seven")
    _, sent = await call(emulator, "sendMessage", chat_id="7", text="one")
    message_id = str(sent["result"]["message_id"])
    missing = await call(emulator, "editMessageText", chat_id="7", message_id="9999", text="x")
    assert missing[0] == 400 and "message to edit not found" in missing[1]["description"]
    same = await call(emulator, "editMessageText", chat_id="7", message_id=message_id, text="one")
    assert same[0] == 400 and "not modified" in same[1]["description"]
    changed = await call(
        emulator, "editMessageText", chat_id="7", message_id=message_id, text="two"
    )
    assert changed[0] == 200 and changed[1]["result"]["edit_date"]


async def test_callback_queries_can_be_answered_once(emulator):
    someone = Person(emulator, 8, "Eight")
    _, sent = await call(
        emulator,
        "sendMessage",
        chat_id="8",
        text="pick",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    update = someone.press_data("a", sent["result"]["message_id"])
    query_id = update["callback_query"]["id"]
    assert (await call(emulator, "answerCallbackQuery", callback_query_id=query_id))[0] == 200
    again = await call(emulator, "answerCallbackQuery", callback_query_id=query_id)
    assert again[0] == 400 and "query is too old" in again[1]["description"]


async def test_faults_and_blocked_people(emulator):
    Person(emulator, 9, "Nine")
    emulator.faults.append(Fault("429", method="sendMessage", retry_after=3))
    limited = await call(emulator, "sendMessage", chat_id="9", text="hi")
    assert limited[0] == 429 and limited[1]["parameters"] == {"retry_after": 3}
    assert (await call(emulator, "sendMessage", chat_id="9", text="hi"))[0] == 200
    emulator.blocked.add(9)
    blocked = await call(emulator, "sendMessage", chat_id="9", text="hi")
    assert blocked[0] == 403 and "blocked" in blocked[1]["description"]
    assert emulator.calls["sendMessage"] == 3


async def test_method_names_are_case_insensitive_as_on_telegram(emulator):
    someone = Person(emulator, 11, "Eleven")
    emulator.faults.append(Fault("500", method="sendMessage"))
    assert (await call(emulator, "SENDMESSAGE", chat_id="11", text="a"))[0] == 500
    assert (await call(emulator, "sendmessage", chat_id="11", text="b"))[0] == 200
    assert emulator.calls["sendMessage"] == 2 and emulator.errors["sendMessage:500"] == 1
    assert (await someone.reply()).text == "b"


async def test_chat_actions_and_commands_are_validated(emulator):
    Person(emulator, 10, "Ten")
    assert (await call(emulator, "sendChatAction", chat_id="10", action="typing"))[0] == 200
    assert (await call(emulator, "sendChatAction", chat_id="10", action="dancing"))[0] == 400
    bad = await call(
        emulator, "setMyCommands", commands=[{"command": "Bad Name", "description": "x"}]
    )
    assert bad[0] == 400


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("<b>bold</b> &amp; <i>it</i>", "bold & it"),
        ("a &lt;b&gt; &#128578;", "a <b> 🙂"),
        ('<a href="https://example.org">x</a>', "x"),
        ("<code>tap</code>", "tap"),
    ],
)
def test_html_parser_accepts_telegram_html(source, text):
    assert parse_html(source)[0] == text


@pytest.mark.parametrize(
    "source", ["<b>open", "<p>no</p>", "<b><i>x</b></i>", "</b>", "<span>x</span>", "a < b"]
)
def test_html_parser_refuses_what_telegram_refuses(source):
    with pytest.raises(HtmlParseError):
        parse_html(source)


def test_entity_offsets_are_utf16():
    text, entities = parse_html("🙂 <b>x</b>")
    assert text == "🙂 x" and entities[0]["offset"] == 3


_PIECES = {
    "a": "a",
    "é": "é",
    "🙂": "🙂",
    " & ": " & ",
    "&amp;": "&",
    "&#128578;": "🙂",
    "\n": "\n",
}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(sorted(_PIECES)), max_size=6), min_size=1, max_size=6))
def test_html_parser_text_and_utf16_offsets_on_generated_html(runs):
    """Runs of text, every other one in <b>: the text, and each bold run's UTF-16 offset."""
    source, expected, bold = "", "", []
    for index, run in enumerate(runs):
        raw, plain = "".join(run), "".join(_PIECES[piece] for piece in run)
        if index % 2 and plain:
            bold.append(
                {
                    "type": "bold",
                    "offset": len(expected.encode("utf-16-le")) // 2,
                    "length": len(plain.encode("utf-16-le")) // 2,
                }
            )
            raw = f"<b>{raw}</b>"
        source, expected = source + raw, expected + plain
    text, entities = parse_html(source)
    assert text == expected and entities == bold


async def test_a_json_body_is_read_and_a_broken_one_refused(emulator):
    url = f"{emulator.base_url}/bot{emulator.token}"
    async with httpx.AsyncClient() as client:
        ok = await client.post(
            f"{url}/getMe", content=b"", headers={"Content-Type": "application/json"}
        )
        broken = await client.post(
            f"{url}/sendMessage", content=b"{nope", headers={"Content-Type": "application/json"}
        )
    assert ok.status_code == 200 and ok.json()["result"]["is_bot"] is True
    assert broken.status_code == 400 and "can't parse JSON" in broken.json()["description"]
