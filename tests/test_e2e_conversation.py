"""End to end: the real python-telegram-bot Application over HTTP against the Bot API emulator.

Simulated people type and press buttons on the messages the bot really sent; the tests read what
the bot sent and what the database holds.
"""

from __future__ import annotations

from bot.emulator import BotApiEmulator
from tests.conftest import rows


async def test_whole_conversation_by_button(bot, person, emulator: BotApiEmulator, database):
    alex = person(1001, "Alex")
    alex.send("/start")
    welcome, question = await alex.replies(2)
    assert "not a therapist" in welcome.text
    assert "/forget" in welcome.text and "/mydata" in welcome.text
    assert question.labels == ["He", "She", "They"]

    alex.press("He")
    confirm, menu = await alex.replies(2)
    assert '"he"' in confirm.text
    assert "What's happening?" in menu.text
    assert "He went quiet and distant" in menu.labels
    assert any("own words" in label for label in menu.labels)

    alex.press("He went quiet and distant")
    advice = await alex.reply()
    assert "Room to be himself" in advice.text and "Try this" in advice.text
    assert "Why this helps" not in advice.text, "one tap away, so the card fits a phone screen"
    assert len(advice.text) <= 510
    assert advice.copyable == [
        "I can tell you need some room right now, and that's okay. I'm here when you want to talk."
    ]
    assert advice.labels == ["❔ Why this helps", "💬 How do I say it?", "🔄 Another angle"]
    assert alex.actions() == [], "no typing indicator: the advice arrives at once"
    assert rows(database, "SELECT principle, method, situation FROM advice WHERE user_id=1001") == [
        ("independence", "button", "went_quiet")
    ]

    alex.press("Why this helps", on=advice)
    why = await alex.reply()
    assert "Why this helps" in why.text and "not you" in why.text
    assert why.labels == ["👍 That helps", "🤔 Not quite", "🔄 Another angle", "↩️ Start over"]

    alex.press("How do I say it?", on=advice)
    draft = await alex.reply()
    assert draft.copyable and draft.copyable[0] != advice.copyable[0]
    assert "short and simple" in draft.text and "Face to face" in draft.text

    alex.press("That helps", on=draft)
    thanks = await alex.reply()
    assert "glad" in thanks.text
    assert rows(database, "SELECT feedback FROM advice WHERE user_id=1001 AND number=1") == [
        ("helpful",)
    ]
    assert rows(database, "SELECT step, pronoun FROM users WHERE user_id=1001") == [
        ("advised", "he")
    ]
    assert all(a.payload["id"] for a in alex.answers()), "every button press is answered"


async def test_free_text_and_another_angle(bot, person, onboard, database):
    sam = person(1002, "Sam")
    await onboard(sam, "She")
    sam.send("i keep texting her all day and checking her phone, i cant stop")
    advice = await sam.reply()
    assert "Holding on without holding tight" in advice.text
    assert rows(database, "SELECT principle, method FROM advice WHERE user_id=1002") == [
        ("codependency", "text")
    ]

    sam.press("Another angle", on=advice)
    second = await sam.reply()
    assert second.text.splitlines()[0] != advice.text.splitlines()[0]
    sam.press("Why this helps", on=second)
    sam.press("Not quite", on=await sam.reply())
    follow_up = await sam.reply()
    assert "another angle" in follow_up.text.lower()
    assert rows(database, "SELECT number, method, feedback FROM advice WHERE user_id=1002") == [
        (1, "text", None),
        (2, "angle", "not_quite"),
    ]


async def test_two_issues_get_the_first_now_and_the_second_under_another_angle(
    bot, person, onboard, database
):
    lee = person(1004, "Lee")
    await onboard(lee, "He")
    lee.send("he asked for some space and now i cant stop texting him all day")
    advice = await lee.reply()
    names = {"independence": "Room to be himself", "codependency": "Holding on without"}
    first = next(key for key, name in names.items() if advice.text.startswith(f"{name}", 2))
    other = ({"independence", "codependency"} - {first}).pop()
    assert names[other] in advice.text.split("You also raised this")[1]
    lee.press("🔄 Another angle", on=advice)
    second = await lee.reply()
    assert names[other] in second.text.splitlines()[0]
    assert rows(database, "SELECT principle, method FROM advice WHERE user_id=1004") == [
        (first, "text"),
        (other, "angle"),
    ]


async def test_a_vague_message_asks_what_is_happening(bot, person, onboard, database):
    ria = person(1005, "Ria")
    await onboard(ria, "She")
    ria.send("can you give me some advice about my gf")
    menu = await ria.reply()
    assert "sit:went_quiet" in [b.data for row in menu.buttons for b in row]
    assert rows(database, "SELECT COUNT(*) FROM advice") == [(0,)]


async def test_unsure_text_asks_with_buttons(bot, person, onboard, database):
    kim = person(1003, "Kim")
    await onboard(kim, "They")
    kim.send("i feel lonely and worried")  # torn between principles
    question = await kim.reply()
    assert "which of these sounds closest" in question.text
    assert 2 <= len(question.labels) <= 4
    assert any("explain" in label for label in question.labels)
    assert rows(database, "SELECT COUNT(*) FROM advice") == [(0,)], "it never silently guesses"

    first_choice = question.labels[0]
    kim.press(first_choice, on=question)
    advice = await kim.reply()
    assert "Try this" in advice.text
    assert rows(database, "SELECT method FROM advice WHERE user_id=1003") == [("clarify",)]


async def test_text_with_no_clue_asks_for_more(bot, person, onboard):
    lee = person(1004, "Lee")
    await onboard(lee, "He")
    lee.send("hmm")
    reply = await lee.reply()
    assert "tell me a little" in reply.text
    assert "He went quiet and distant" in reply.labels


async def test_principles_browsing_keeps_the_place(bot, person, onboard, database):
    ana = person(1005, "Ana")
    await onboard(ana, "She")
    ana.press("I keep texting and checking on her")
    advice = await ana.reply()

    ana.send("/principles")
    listing = await ana.reply()
    assert len(listing.labels) == 7
    assert any("Space is not disconnection" in label for label in listing.labels)
    ana.press("Trusting the bond", on=listing)
    detail = await ana.reply()
    assert detail.kind == "edit" and detail.message_id == listing.message_id
    assert "To think about" in detail.text and "Try this" in detail.text
    ana.press("Back", on=detail)
    back = await ana.reply()
    assert back.message_id == listing.message_id and len(back.labels) == 7

    # The advice from before browsing still works.
    ana.press("Another angle", on=advice)
    angle = await ana.reply()
    assert "Try this" in angle.text
    assert rows(database, "SELECT step FROM users WHERE user_id=1005") == [("advised",)]


async def test_restart_in_the_middle_of_a_conversation(bot, person, onboard, database):
    max_ = person(1006, "Max")
    await onboard(max_, "He")
    max_.send("i feel lonely and worried")
    question = await max_.reply()
    assert "which of these" in question.text

    await bot.restart()

    max_.press(question.labels[0], on=question)
    advice = await max_.reply()
    assert "Try this" in advice.text
    max_.send("/start")
    back, resumed = await max_.replies(2)
    assert "Welcome back" in back.text
    assert resumed.labels == advice.labels and resumed.text == advice.text
    assert rows(database, "SELECT pronoun, step FROM users WHERE user_id=1006") == [
        ("he", "advised")
    ]


async def test_group_chat_gets_one_notice_then_silence(bot, emulator, person):
    group = {"id": -100200, "type": "group", "title": "Friends"}
    member = person(1007, "Jo", chat=group)
    member.send("/start")
    notice = await member.reply()
    assert "private" in notice.text
    member.send("/start")
    member.send("hello bot")
    await emulator.settle()
    assert member.unread() == []


async def test_odd_messages_get_kind_answers(bot, person, onboard, emulator):
    zoe = person(1008, "Zoe")
    await onboard(zoe, "They")
    zoe.send_content("sticker")
    assert "only read text" in (await zoe.reply()).text
    zoe.send_content("voice")
    assert "only read text" in (await zoe.reply()).text
    zoe.send("/dance")
    assert "/help" in (await zoe.reply()).text
    zoe.press_data("sit:not_a_situation", 1)
    stale = await zoe.reply()
    assert stale.labels, "a forged button gets the current prompt back"
    assert zoe.answers()[-1].payload["text"], "and a gentle notice on the button"
    assert emulator.errors == {}, "the bot never made a call Telegram would refuse"


async def test_settings_help_and_cancel(bot, person, onboard, database):
    ben = person(1009, "Ben")
    await onboard(ben, "He")
    ben.send("/settings")
    settings = await ben.reply()
    assert "✓ He" in settings.labels
    ben.press("They", on=settings)
    changed = await ben.reply()
    assert changed.kind == "edit" and "✓ They" in changed.labels
    assert rows(database, "SELECT pronoun FROM users WHERE user_id=1009") == [("they",)]
    ben.send("/help")
    assert "/principles" in (await ben.reply()).text
    ben.send("/cancel")
    cancel, menu = await ben.replies(2)
    assert "start fresh" in cancel.text
    assert "What's happening?" in menu.text and "They went quiet and distant" in menu.labels


async def test_command_menu_is_published(bot, emulator):
    names = [c["command"] for c in emulator.commands]
    assert names[:3] == ["start", "principles", "settings"]
    assert {"help", "cancel", "mydata", "forget"} <= set(names)


async def test_forget_and_mydata(bot, person, onboard, database, emulator):
    eva = person(1010, "Eva")
    await onboard(eva, "She")
    eva.press("The spark feels like it's fading")
    await eva.reply()
    eva.send("/mydata")
    export = await eva.reply()
    assert export.document is not None
    name, data = emulator.documents[1010][-1]
    assert name.endswith(".json") and b'"desire"' in data and b'"pronoun": "she"' in data

    eva.send("/forget")
    ask = await eva.reply()
    eva.press("Yes, erase", on=ask)
    done = await eva.reply()
    assert "erased" in done.text
    for table in ("users", "advice"):
        assert rows(database, f"SELECT COUNT(*) FROM {table} WHERE user_id=1010") == [(0,)]
    eva.send("/start")
    welcome, _ = await eva.replies(2)
    assert "not a therapist" in welcome.text, "after /forget the bot starts from the beginning"


async def test_typing_indicator_refused_is_only_a_warning(bot, person, onboard, emulator):
    from bot.emulator import Fault

    ida = person(1011, "Ida")
    await onboard(ida, "He")
    emulator.faults.append(Fault("500", method="sendChatAction"))
    ida.press("He went quiet and distant")
    advice = await ida.reply()
    assert "Try this" in advice.text


async def test_person_who_blocked_the_bot_does_not_break_it(bot, person, onboard, emulator):
    one, two = person(1012, "One"), person(1013, "Two")
    await onboard(one, "He")
    emulator.blocked.add(one.chat_id)
    one.send("/help")
    await emulator.settle()
    two.send("/start")
    assert "not a therapist" in (await two.reply()).text
