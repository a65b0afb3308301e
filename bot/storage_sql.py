"""Statements as values, and one function that runs them as a transaction on the database thread.

A turn's writes are built as :class:`Statement` values first (plain data, no I/O), then run in one
trip to aiosqlite's thread: a trip costs a thread hand-off each way, and a turn has half a dozen
statements, on the path of every reply.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Statement:
    sql: str
    params: Sequence[Any] = ()
    many: bool = False  # params is a list of parameter rows (executemany)


def run_transaction(connection: sqlite3.Connection, statements: Iterable[Statement]) -> None:
    """Run ``statements`` as one transaction (called on the database thread)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        for statement in statements:
            if statement.many:
                connection.executemany(statement.sql, statement.params)
            else:
                connection.execute(statement.sql, statement.params)
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
