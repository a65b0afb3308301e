"""Nothing is kept per person once they are answered: not by PTB's Application, not by the shell.

``bench/soak.py`` measures the same thing as resident memory over 100,000 people.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackContext,
    DictPersistence,
    TypeHandler,
)

from bot.emulator import BotApiEmulator
from bot.shell.ptb_memory import LeanApplication
from bot.shell.updates import PerChatUpdateProcessor


def marked(application: Any) -> tuple[set[int], set[int]]:
    """The chat ids and user ids PTB holds for its next ``update_persistence``."""
    return (
        application._chat_ids_to_be_updated_in_persistence,
        application._user_ids_to_be_updated_in_persistence,
    )


async def process_people(application: Any, people: range) -> tuple[set[int], set[int], int]:
    """Each person's /start through ``process_update``; then what PTB holds for them: the marked
    chat and user ids and the number of chat_data and user_data entries (before ``shutdown``,
    which hands the marked ids to a persistence, if there is one)."""

    async def ignore(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
        return None

    application.add_handler(TypeHandler(Update, ignore))
    await application.initialize()
    try:
        for n in people:
            private = {"id": n, "type": "private", "first_name": "S"}
            message = {"message_id": 1, "date": 0, "chat": private, "text": "/start"}
            message["from"] = {"id": n, "is_bot": False, "first_name": "S"}
            data = {"update_id": n, "message": message}
            await application.process_update(Update.de_json(data, application.bot))
        chats, users = marked(application)
        return set(chats), set(users), len(application.chat_data) + len(application.user_data)
    finally:
        await application.shutdown()


def builder(emulator: BotApiEmulator) -> Any:
    return (
        ApplicationBuilder()
        .token(emulator.token)
        .base_url(f"{emulator.base_url}/bot")
        .updater(None)
    )


async def test_ptb_itself_still_keeps_every_id_without_a_persistence(emulator):
    """If this fails, PTB stopped keeping the ids: bot/shell/ptb_memory.py can go."""
    application = builder(emulator).build()
    assert type(application) is Application and application.persistence is None
    chats, users, _ = await process_people(application, range(1, 201))
    assert len(chats) == len(users) == 200


async def test_the_lean_application_keeps_no_id_without_a_persistence(emulator):
    application = builder(emulator).application_class(LeanApplication).build()
    chats, users, data = await process_people(application, range(1, 201))
    assert chats == users == set()
    assert data == 0, "chat_data and user_data: never read, so never made"


async def test_with_a_persistence_the_lean_application_marks_as_ptb_does(emulator):
    application = (
        builder(emulator).application_class(LeanApplication).persistence(DictPersistence()).build()
    )
    chats, users, _ = await process_people(application, range(1, 4))
    assert chats == users == {1, 2, 3}


async def test_the_bot_keeps_nothing_per_person_once_they_are_answered(bot, person):
    people = [person(60_000 + n, "S") for n in range(300)]
    for someone in people:
        someone.send("/start")
    for someone in people:
        await someone.replies(2)
    await bot.emulator.settle()
    application, deps = bot.application, bot.deps
    assert isinstance(application, LeanApplication)
    assert marked(application) == (set(), set())
    assert len(application.chat_data) == len(application.user_data) == 0
    processor = application.update_processor
    assert isinstance(processor, PerChatUpdateProcessor)
    assert len(processor._chats) == 0, "a chat's lock goes once nobody holds or waits for it"
    assert len(deps.deliverer._chats) == 0 and deps.deliverer.backlog == set()
    ledger = deps.ledger
    assert ledger._in_flight == {} and ledger._committed == set()
    assert len(deps.flood) <= 300, "the flood gate holds the people of one window at most"


def test_the_zone_cache_stays_bounded_whatever_people_type():
    """find_zone asks zone() about any text typed at the time-zone step; the cache is capped."""
    from bot.engine.schedule import find_zone, zone

    for n in range(3000):
        find_zone(f"somewhere called {n}")
        zone(f"Nowhere/{n}")
    assert zone.cache_info().currsize <= 1024
