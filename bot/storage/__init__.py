"""Storage: the only package with SQL (SQLite through aiosqlite, WAL, numbered migrations).

``repository.Storage`` is the interface the rest of the bot uses; ``inbox``, ``nudges`` and
``ops`` hold its parts, ``migrations`` the schema's history. A turn's new state, its replies and
"this update is done" commit in one transaction. May import ``bot.engine`` (its value types).
"""
