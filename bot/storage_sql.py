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
    inserts_ids: bool = False  # report the rowids it inserts (see run_transaction)


def run_transaction(connection: sqlite3.Connection, statements: Iterable[Statement]) -> list[int]:
    """Run ``statements`` as one transaction (called on the database thread).

    Returns the rowids inserted by the statements marked ``inserts_ids``: inside one exclusive
    transaction an executemany's rows get consecutive ids ending at ``last_insert_rowid()``.
    """
    ids: list[int] = []
    connection.execute("BEGIN IMMEDIATE")
    try:
        for statement in statements:
            if statement.many:
                cursor = connection.executemany(statement.sql, statement.params)
            else:
                cursor = connection.execute(statement.sql, statement.params)
            if statement.inserts_ids and cursor.rowcount > 0:
                last = (
                    cursor.lastrowid
                    or connection.execute("SELECT last_insert_rowid()").fetchone()[0]
                )
                ids.extend(range(last - cursor.rowcount + 1, last + 1))
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return ids
