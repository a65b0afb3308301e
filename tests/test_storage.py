"""Storage: migrations from an empty file, write-through turns, erase and export."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from bot.engine import AdviceGiven, EraseData, FeedbackGiven, UserState
from bot.engine.model import NudgePrefs, SafetyHit, SaveNudges, SavePlanSection
from bot.storage.repository import MIGRATIONS, SCHEMA_VERSION, USER_TABLES, Storage

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


async def test_migrations_from_an_empty_file(tmp_path):
    path = tmp_path / "deep" / "new.sqlite3"
    storage = await Storage.open(path)
    assert await storage.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
    await storage.close()
    with sqlite3.connect(path) as connection:
        tables = {
            r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert {"users", "advice", "group_notices"} <= tables
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = await Storage.open(path)  # opening twice is a no-op
    assert await again.schema_version() == SCHEMA_VERSION
    await again.close()


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
async def test_migrations_from_every_older_version(tmp_path, version):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as connection:
        for script in MIGRATIONS[:version]:
            connection.executescript(script)
        connection.execute(f"PRAGMA user_version = {version}")
    storage = await Storage.open(path)
    assert await storage.schema_version() == SCHEMA_VERSION
    await storage.close()


async def test_a_newer_database_is_refused(tmp_path):
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer than this code"):
        await Storage.open(path)


async def test_a_turn_is_saved_and_loaded_back(tmp_path):
    storage = await Storage.open(tmp_path / "db.sqlite3")
    assert await storage.load_user(7) == UserState()
    state = UserState(
        step="advised",
        pronoun="she",
        consent_at=NOW,
        advice_count=1,
        data={"principle": "trust", "ranking": ["trust", "growth"], "number": 1},
    )
    await storage.save_turn(7, 7, state, [AdviceGiven(1, "trust", "text")], NOW)
    await storage.save_turn(7, 7, state, [FeedbackGiven(1, True)], NOW)
    await storage.close()

    reopened = await Storage.open(tmp_path / "db.sqlite3")
    assert await reopened.load_user(7) == state
    export = await reopened.export_user(7)
    assert export is not None
    assert export["user"]["pronoun"] == "she"
    assert (
        export["advice"][0]["principle"] == "trust" and export["advice"][0]["feedback"] == "helpful"
    )
    await reopened.close()


async def test_a_failed_turn_leaves_nothing_half_written(tmp_path):
    storage = await Storage.open(tmp_path / "db.sqlite3")
    state = UserState(step="advised", pronoun="he", advice_count=1)
    with pytest.raises(sqlite3.IntegrityError):
        await storage.save_turn(8, 8, state, [AdviceGiven(1, "trust", "bogus")], NOW)  # type: ignore[arg-type]
    assert await storage.load_user(8) == UserState()
    await storage.close()


async def test_erase_removes_every_row_of_that_person_only(tmp_path):
    storage = await Storage.open(tmp_path / "db.sqlite3")
    for user in (1, 2):
        state = UserState(step="advised", pronoun="he", advice_count=1)
        effects = [
            AdviceGiven(1, "growth", "button"),
            SafetyHit("crisis"),
            SavePlanSection("calming", "a walk with my dog"),
            SaveNudges(NudgePrefs(enabled=True, at="08:00", zone="Europe/Berlin")),
        ]
        await storage.save_turn(user, user, state, effects, NOW)
        assert await storage.claim_nudge(user, NOW.date(), "trust", 0, NOW)
    export = await storage.export_user(1)
    assert export is not None and export["nudges"][0]["zone"] == "Europe/Berlin"
    assert export["nudge_log"][0]["principle"] == "trust"
    await storage.save_turn(1, 1, UserState(), [EraseData()], NOW)
    for table in USER_TABLES:
        assert await storage.count_rows(table, 1) == 0
        assert await storage.count_rows(table, 2) == 1
    assert await storage.export_user(1) is None
    await storage.close()


async def test_group_notice_only_once(tmp_path):
    storage = await Storage.open(tmp_path / "db.sqlite3")
    assert await storage.first_group_notice(-5, NOW)
    assert not await storage.first_group_notice(-5, NOW)
    await storage.close()


async def test_an_unreadable_payload_falls_back_safely(tmp_path):
    path = tmp_path / "db.sqlite3"
    storage = await Storage.open(path)
    await storage.save_turn(9, 9, UserState(step="advised", pronoun="he"), [], NOW)
    await storage.close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE users SET data='not json', step='gone' WHERE user_id=9")
    storage = await Storage.open(path)
    state = await storage.load_user(9)
    assert state.step == "ask_situation" and state.data == {} and state.pronoun == "he"
    await storage.close()


async def test_processed_update_ids_are_pruned_but_the_newest_kept(tmp_path):
    storage = await Storage.open(tmp_path / "db.sqlite3")
    for update_id in range(1, 21):
        await storage.finish_update(update_id)
    assert await storage.prune_inbox(keep=5) == 14  # ids 1..14 are more than 5 below 20
    assert await storage.newest_done_update() == 20
    assert not await storage.begin_update(15), "a kept id is still recognised as done"
    assert await storage.begin_update(3), "a pruned one is not (Telegram never resends it)"
    await storage.close()
