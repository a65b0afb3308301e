"""The database schema, as numbered migrations applied in order at start-up.

``PRAGMA user_version`` records how many have run; each one runs in its own transaction. Never edit
a released migration: add the next one. Tests build every older version and migrate it forward.
"""

from __future__ import annotations

# Migration N (1-based) brings a database at user_version N-1 to version N. Append, never edit.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        user_id      INTEGER PRIMARY KEY,
        chat_id      INTEGER NOT NULL,
        step         TEXT    NOT NULL,
        data         TEXT    NOT NULL DEFAULT '{}',
        pronoun      TEXT    CHECK (pronoun IN ('he', 'she', 'they')),
        language     TEXT    NOT NULL DEFAULT 'en',
        consent_at   TEXT,
        advice_count INTEGER NOT NULL DEFAULT 0,
        created_at   TEXT    NOT NULL,
        updated_at   TEXT    NOT NULL
    );
    CREATE TABLE advice (
        user_id     INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
        number      INTEGER NOT NULL,
        principle   TEXT    NOT NULL,
        method      TEXT    NOT NULL CHECK (method IN ('button', 'text', 'clarify', 'angle')),
        situation   TEXT,
        given_at    TEXT    NOT NULL,
        feedback    TEXT    CHECK (feedback IN ('helpful', 'not_quite')),
        feedback_at TEXT,
        PRIMARY KEY (user_id, number)
    ) WITHOUT ROWID;
    CREATE TABLE group_notices (
        chat_id     INTEGER PRIMARY KEY,
        notified_at TEXT NOT NULL
    );
    """,
    # 2: safety. Only the fact and category of a screened hit, never the text; the safety plan
    # is what the person chose to write, section by section.
    """
    CREATE TABLE safety_events (
        user_id  INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
        category TEXT    NOT NULL CHECK (category IN ('crisis', 'abuse')),
        at       TEXT    NOT NULL
    );
    CREATE INDEX safety_events_by_user ON safety_events (user_id);
    CREATE TABLE safety_plans (
        user_id    INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
        section    TEXT    NOT NULL,
        text       TEXT    NOT NULL,
        updated_at TEXT    NOT NULL,
        PRIMARY KEY (user_id, section)
    ) WITHOUT ROWID;
    """,
    # 3: daily nudges. The partial index makes "who is due" a range scan over people with nudges
    # on; nudge_log's primary key makes a second nudge on one local date impossible.
    """
    CREATE TABLE nudges (
        user_id         INTEGER PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
        enabled         INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
        at              TEXT,
        zone            TEXT,
        paused_until    TEXT,
        next_due        INTEGER,
        day_end         INTEGER,
        due_date        TEXT,
        sent_through    TEXT,
        sent_count      INTEGER NOT NULL DEFAULT 0,
        first_principle INTEGER NOT NULL DEFAULT 0,
        offered         INTEGER NOT NULL DEFAULT 0,
        off_reason      TEXT,
        attempts        INTEGER NOT NULL DEFAULT 0,
        updated_at      TEXT    NOT NULL
    );
    CREATE INDEX nudges_due ON nudges (next_due) WHERE enabled = 1;
    CREATE TABLE nudge_log (
        user_id    INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
        local_date TEXT    NOT NULL,
        principle  TEXT    NOT NULL,
        variant    INTEGER NOT NULL,
        outcome    TEXT    NOT NULL CHECK (outcome IN ('sending', 'sent', 'blocked', 'failed')),
        at         TEXT    NOT NULL,
        PRIMARY KEY (user_id, local_date)
    ) WITHOUT ROWID;
    """,
    # 4: exactly-once. The ids of processed updates (never their content); replies committed
    # with the state change and deleted once sent (see bot/storage/inbox.py).
    """
    CREATE TABLE inbox (
        update_id INTEGER PRIMARY KEY,
        done      INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1))
    );
    CREATE TABLE outbox (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        update_id INTEGER,
        chat_id   INTEGER NOT NULL,
        kind      TEXT    NOT NULL CHECK (kind IN ('answer', 'message', 'edit', 'document')),
        payload   TEXT    NOT NULL,
        attempts  INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX outbox_by_chat ON outbox (chat_id, id);
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 5: the safety screen's middle tier. A real but uncertain signal is asked about ("check"):
    # its fact is kept like a hit's. SQLite cannot change a CHECK constraint, so the table is
    # copied into one with the wider constraint.
    """
    CREATE TABLE safety_events_new (
        user_id  INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
        category TEXT    NOT NULL CHECK (category IN ('crisis', 'abuse', 'check')),
        at       TEXT    NOT NULL
    );
    INSERT INTO safety_events_new (user_id, category, at)
        SELECT user_id, category, at FROM safety_events;
    DROP TABLE safety_events;
    ALTER TABLE safety_events_new RENAME TO safety_events;
    CREATE INDEX safety_events_by_user ON safety_events (user_id);
    """,
    # 6: what a conversation remembers across its steps (bot.engine.model.UserState.memory): the
    # last card shown and how often each principle was, whether abuse was disclosed. JSON of
    # keys and numbers only, never anything the person typed.
    """
    ALTER TABLE users ADD COLUMN memory TEXT NOT NULL DEFAULT '{}';
    """,
)
