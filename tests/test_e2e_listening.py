"""End to end: a conversation that listens, through the real Application and the emulator.

Long conversations as people hold them: what they say around the advice, corrections, the same
idea coming back, and safety that stays on once abuse has been disclosed.
"""

from __future__ import annotations

from tests.conftest import rows


async def test_what_people_say_around_the_advice(bot, person, onboard, database, content):
    tia = person(4001, "Tia")
    await onboard(tia, "He")
    tia.send("he left me on read again and i keep sending more texts, i cant stop")
    advice = await tia.reply()
    assert "Try this" in advice.text

    tia.send("thank u")
    close = await tia.reply()
    assert close.buttons == [] and len(close.text) < 200 and "Try this" not in close.text

    tia.press("How do I say it?", on=advice)  # the card's buttons still work after thanks
    said = await tia.reply()
    assert "Face to face" in said.text and "After a fight" in said.text

    tia.send("he told me he wants to break up")
    breakup = await tia.reply()
    assert "sorry" in breakup.text.lower() and "/sos" in breakup.text
    assert "space" not in breakup.text.lower()
    tia.press("Help if it's too much", on=breakup)
    sos = await tia.reply()
    assert "emergency" in sos.text

    tia.send("What will the nudge actually say?")
    answer, preview = await tia.replies(2)
    assert "not a therapist" in answer.text and "/mydata" in answer.text
    assert "next daily nudge" in preview.text
    assert rows(database, "SELECT COUNT(*) FROM advice WHERE user_id = 4001") == [(1,)]


async def test_a_correction_leads_elsewhere_and_a_card_never_repeats(
    bot, person, onboard, database
):
    sam = person(4002, "Sam")
    await onboard(sam, "He")
    sam.press("I keep texting and checking on him")
    first = await sam.reply()
    sam.send("but i havent been checking in a lot tho?? i sent him like one msg")
    thanks, second = await sam.replies(2)
    assert "got that part wrong" in thanks.text
    assert second.text.split("\n")[0] != first.text.split("\n")[0], "another idea, not the same"
    principles = rows(database, "SELECT principle FROM advice WHERE user_id = 4002 ORDER BY number")
    assert len(principles) == 2 and principles[0] != principles[1]

    shown = []
    for _ in range(3):
        sam.send("/cancel")
        await sam.replies(2)
        sam.press("He went quiet and distant")
        shown.append((await sam.reply()).text)
    assert shown[0] != shown[1] != shown[2] != shown[0], "each time it says something new"


async def test_safety_stays_on_after_abuse(bot, person, onboard, database):
    ana = person(4003, "Ana")
    await onboard(ana, "He")
    ana.send("he threw my phone at the wall last night when i asked about it")
    help_ = await ana.reply()
    assert "not your fault" in help_.text
    assert help_.labels[0] == "🏠 Steps to stay safer"

    ana.send(
        "maybe i overreacted. how do i give him space so he doesnt get stressed and angry again?"
    )
    instead = await ana.reply()
    assert "not your job to keep him calm" in instead.text
    assert "findahelpline.com" in instead.text
    ana.press("He went quiet and distant", on=await _menu(ana))
    again = await ana.reply()
    assert "not your job" in again.text
    assert rows(database, "SELECT COUNT(*) FROM advice WHERE user_id = 4003") == [(0,)]

    ana.press("Steps to stay safer", on=help_)
    step = await ana.reply()
    assert "/forget" in step.text and "safe place" in step.text.lower()
    for _ in range(10):
        if "Next ➡️" not in step.labels:
            break
        ana.press("Next", on=step)
        step = await ana.reply()
    assert step.labels == ["🆘 More help now"]

    ana.press("I understand, show the general ideas", on=again)
    note, menu = await ana.replies(2)
    assert "/sos" in note.text
    ana.press("He went quiet and distant", on=menu)
    advice = await ana.reply()
    assert "Try this" in advice.text, "advice again, because she chose it"


async def _menu(who):
    who.send("/cancel")
    _, menu = await who.replies(2)
    return menu


async def test_a_long_message_is_acknowledged_before_the_answer(bot, person, onboard):
    kit = person(4004, "Kit")
    await onboard(kit, "They")
    kit.send(
        "ok so long story. we met at uni, moved in together last year, we both work a lot, and "
        "lately it's like we're living on different schedules. i don't really know what i'm "
        "asking, just that something has changed between us and i want to handle it well."
    )
    ack, answer = await kit.replies(2)
    assert "Thank you for trusting me with all of that" in ack.text
    assert "a little more" not in answer.text


async def test_help_lines_for_the_persons_own_country(bot, person, onboard, database):
    """Asked once, remembered, and the country's domestic-abuse line among them."""
    rio = person(4005, "Rio")
    await onboard(rio, "She")
    rio.send("she controls all my money and checks my phone every night")
    help_ = await rio.reply()
    assert "not your fault" in help_.text and "findahelpline.com" in help_.text
    rio.press("Help lines where I live", on=help_)
    question = await rio.reply()
    assert "Ireland" in question.labels and "Somewhere else" in question.labels
    rio.press("Ireland", on=question)
    lines = await rio.reply()
    assert "1800 341 900" in lines.text and "112" in lines.text

    rio.send("she threatened to take the kids if i leave")
    again = await rio.reply()
    assert "1800 341 900" in again.text
    assert "📍 Help lines where I live" not in again.labels
    assert rows(database, "SELECT memory FROM users WHERE user_id = 4005")[0][0].count('"IE"') == 1


async def test_a_decision_and_frustration(bot, person, onboard, database):
    jay = person(4006, "Jay")
    await onboard(jay, "They")
    jay.send("should i break up with them? yes or no")
    decision = await jay.reply()
    assert "choice is yours" in decision.text and "3." in decision.text
    assert decision.labels == ["📖 Browse the six ideas", "📋 Pick a situation"]
    jay.send("This isn't helping.")
    sorry = await jay.reply()
    assert "sorry" in sorry.text.lower()
    assert sorry.labels == [
        "📋 Pick a situation",
        "📖 Browse the six ideas",
        "✍️ Tell you what's missing",
    ]
    jay.press("Pick a situation", on=sorry)
    menu = await jay.reply()
    assert "They went quiet and distant" in menu.labels
    assert rows(database, "SELECT COUNT(*) FROM advice WHERE user_id = 4006") == [(0,)]
