"""Statements as values, run as one transaction on the database thread (:meth:`Database._write`).

A turn's writes are built as :class:`Statement` values first (plain data, no I/O), then run in one
trip to aiosqlite's thread: a trip costs a thread hand-off each way, and a turn has half a dozen
statements, on the path of every reply.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite


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
                (last,) = connection.execute("SELECT last_insert_rowid()").fetchone()
                ids.extend(range(last - cursor.rowcount + 1, last + 1))
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return ids


class Database:
    """The shared connection, and the one way the storage modules write several statements."""

    _db: aiosqlite.Connection
    _lock: asyncio.Lock  # one transaction at a time on the shared connection

    async def _write(self, statements: Iterable[Statement]) -> list[int]:
        """Run ``statements`` as one transaction, in one trip to the database thread.

        The trip goes through aiosqlite's own queue (private, but how it runs every call).
        Returns the ids inserted by statements marked ``inserts_ids``.
        """
        on_db_thread: Callable[..., Awaitable[list[int]]] = self._db._execute
        async with self._lock:
            return await on_db_thread(run_transaction, self._db._conn, list(statements))
