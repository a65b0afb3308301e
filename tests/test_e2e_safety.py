"""End to end: safety before advice, /sos, and privacy, through the real Application."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def user_rows_everywhere(database: Path, user_id: int) -> dict[str, int]:
    """Rows about ``user_id`` in every table that has a user or chat column."""
    found = {}
    with sqlite3.connect(database) as connection:
        tables = [
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            columns = [r[1] for r in connection.execute(f"PRAGMA table_info({table})")]
            for column in ("user_id", "chat_id"):
                if column in columns:
                    (count,) = connection.execute(
                        f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (user_id,)
                    ).fetchone()
                    found[f"{table}.{column}"] = count
    return found


async def test_a_crisis_message_gets_help_not_advice(bot, person, onboard, database):
    ren = person(3001, "Ren")
    await onboard(ren, "He")
    ren.press("He went quiet and distant")
    advice = await ren.reply()
    words = "honestly i dont want to live anymore without him zq-marker-51"
    ren.send(words)
    help_ = await ren.reply()
    assert "glad you told me" in help_.text and "findahelpline.com" in help_.text
    assert help_.labels == [
        "🆘 More help now",
        "I'm safe, let's continue",
        "📍 Help lines where I live",
    ]
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT category FROM safety_events").fetchall() == [("crisis",)]
        assert connection.execute("SELECT COUNT(*) FROM advice").fetchone() == (1,)
    assert b"zq-marker-51" not in database.read_bytes()
    assert b"zq-marker-51" not in Path(f"{database}-wal").read_bytes()

    ren.press("I'm safe", on=help_)
    glad, resumed = await ren.replies(2)
    assert "glad" in glad.text and resumed.labels[:2] == advice.labels[:2]


async def test_an_abuse_message_from_a_brand_new_person(bot, person, database):
    sky = person(3002, "Sky")
    sky.send("my boyfriend hit me and took my phone")
    help_ = await sky.reply()
    assert "not your fault" in help_.text
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT category FROM safety_events").fetchall() == [("abuse",)]


async def test_sos_grounding_and_safety_plan(bot, person, onboard, database, emulator):
    ash = person(3003, "Ash")
    await onboard(ash, "They")
    ash.send("/sos")
    menu = await ash.reply()
    assert "emergency" in menu.text
    ash.press("Grounding exercise", on=menu)
    for _ in range(10):
        step = await ash.reply()
        if "Next ➡️" not in step.labels:
            break
        ash.press("Next", on=step)
    assert "Well done" in step.text

    ash.send("/sos")
    menu = await ash.reply()
    ash.press("Write my safety plan", on=menu)
    prompt = await ash.reply()
    for answer in ["i stop eating", "music", "my brother", "the park", "my gp"]:
        assert "Skip this one" in prompt.labels
        ash.send(answer)
        prompt = await ash.reply()
    assert "saved your plan" in prompt.text and "my brother" in prompt.text
    ash.send("/sos")
    menu, plan = await ash.replies(2)
    assert "✏️ Update my safety plan" in menu.labels and "the park" in plan.text

    ash.send("/mydata")
    await ash.reply()
    _, data = emulator.documents[3003][-1]
    assert b"the park" in data and b"safety_plans" in data

    ash.send("/forget")
    ash.press("Yes, erase", on=await ash.reply())
    await ash.reply()
    await emulator.settle()  # the reply's outbox row goes once Telegram has confirmed it
    assert set(user_rows_everywhere(database, 3003).values()) == {0}


async def test_group_notice_is_the_only_row_for_a_group(bot, person, database):
    member = person(3004, "Mo", chat={"id": -3004, "type": "supergroup", "title": "Book club"})
    member.send("/start")
    await member.reply()
    rows = user_rows_everywhere(database, 3004)
    assert set(rows.values()) == {0}, "nothing about the person who wrote in the group is kept"


CHECKED = "i've been giving my things away to friends lately, it feels right"


async def test_an_uncertain_signal_is_asked_about_then_safe_carries_on(
    bot, person, onboard, database
):
    """The trained model's middle tier: a warning sign without the usual words."""
    noa = person(3005, "Noa")
    await onboard(noa, "She")
    noa.send(CHECKED)
    question = await noa.reply()
    assert "hurting yourself" in question.text
    assert question.labels == [
        "I'm thinking of hurting myself",
        "Someone is hurting or scaring me",
        "No, I'm safe, go on",
    ]
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT category FROM safety_events").fetchall() == [("check",)]
        assert connection.execute("SELECT COUNT(*) FROM advice").fetchone() == (0,)
    assert b"giving my things away" not in database.read_bytes()

    noa.press("No, I'm safe, go on", on=question)
    thanks, advice = await noa.replies(2)
    assert thanks.text.startswith("Thank you for telling me")
    assert "Try this" in advice.text
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT method FROM advice").fetchall() == [("text",)]


async def test_an_answer_of_danger_to_the_check_gets_the_full_reply(bot, person, onboard, database):
    for user, answer, words, category in [
        (3006, "I'm thinking of hurting myself", "glad you told me", "crisis"),
        (3007, "Someone is hurting or scaring me", "not your fault", "abuse"),
    ]:
        who = person(user, "Jo")
        await onboard(who, "He")
        who.send(CHECKED)
        who.press(answer, on=await who.reply())
        help_ = await who.reply()
        assert words in help_.text and "findahelpline.com" in help_.text
        assert help_.labels[-3:-1] == ["🆘 More help now", "I'm safe, let's continue"]
        with sqlite3.connect(database) as connection:
            rows = connection.execute(
                "SELECT category FROM safety_events WHERE user_id = ? ORDER BY at", (user,)
            ).fetchall()
        assert rows == [("check",), (category,)]


async def test_an_act_under_way_gets_the_emergency_number_first(bot, person, onboard):
    lou = person(3008, "Lou")
    await onboard(lou, "They")
    lou.send("i just swallowed a whole bottle of my sleeping pills")
    help_ = await lou.reply()
    assert help_.text.startswith("🚨")
    assert help_.text.index("emergency number") < help_.text.index("glad you told me")


async def test_warning_signs_in_other_words_get_help(bot, person, onboard, database):
    """Kinds the first patterns missed: goodbyes, coercive control, an ex who follows."""
    pat = person(3009, "Pat")
    await onboard(pat, "He")
    for text, words in [
        ("i wrote letters to everyone i love last night", "glad you told me"),
        ("he told me im not allowed to see my sister anymore", "not your fault"),
        ("my ex keeps turning up outside my work and waiting for me", "not your fault"),
    ]:
        pat.send(text)
        help_ = await pat.reply()
        assert words in help_.text, text
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM advice").fetchone() == (0,)
