"""A PostgreSQL connection that answers like the `sqlite3` one the stores were written for.

psycopg 3, synchronous (the store worker is), in autocommit mode so that the kit
opens and ends transactions itself (`BEGIN`, `SAVEPOINT`, `COMMIT`), exactly as it does
on SQLite. Statements keep their `?` placeholders (translated once per statement), rows
are read by position or by column name, like `sqlite3.Row`. Every statement runs in the
service's own schema (`search_path`). A connection that broke (the server restarted) is
opened again before the next statement outside a transaction; until the server answers
again every statement raises `psycopg.OperationalError`, which the kit treats as
"retry the batch". The connection also holds its replica's advisory lock for as long as
it lives: whoever can take that lock knows the replica is gone (`outbox` adoption).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from psycopg import pq, sql

from services.kit.sql_dialect import lock_key, pg_placeholders

__all__ = ["PgConnection", "PgRow", "replica_lock_key"]


class PgRow(tuple[Any, ...]):
    """A row readable by position and by column name (`row[0]`, `row["name"]`)."""

    __slots__ = ()
    _index: dict[str, int] = {}  # noqa: RUF012 - set on each subclass, one per column list

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        """The column names, in order."""
        return list(self._index)


_ROW_CLASSES: dict[tuple[str, ...], type[PgRow]] = {}


def _row_factory(cursor: psycopg.Cursor[Any]) -> Any:
    names = tuple(column.name for column in cursor.description or ())
    row_class = _ROW_CLASSES.get(names)
    if row_class is None:
        index = {name: i for i, name in enumerate(names)}
        row_class = _ROW_CLASSES[names] = type("PgRow", (PgRow,), {"_index": index})
    return row_class


def replica_lock_key(schema: str, replica: str) -> int:
    """The advisory lock a replica of the service of `schema` holds while it is connected."""
    return lock_key(f"portalsim-replica/{schema}/{replica}")


class PgConnection:
    """The `sqlite3.Connection` subset the stores use, on a PostgreSQL schema."""

    def __init__(self, url: str, schema: str, replica: str = "") -> None:
        self.url = url
        self.schema = schema
        self.replica = replica
        self._conn = self._connect()

    def _connect(self) -> psycopg.Connection[Any]:
        conn: psycopg.Connection[Any] = psycopg.connect(
            self.url, autocommit=True, connect_timeout=5, application_name=self.replica[:60]
        )
        conn.row_factory = _row_factory
        with contextlib.suppress(psycopg.errors.UniqueViolation):  # another replica, meanwhile
            conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema))
            )
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
        conn.execute(
            "SELECT pg_try_advisory_lock(%s)", (replica_lock_key(self.schema, self.replica),)
        )
        return conn

    def _ready(self) -> psycopg.Connection[Any]:
        """The connection, opened again if it broke while no transaction was open."""
        if self._conn.closed or self._conn.broken:
            self._conn.close()
            self._conn = self._connect()
        return self._conn

    @property
    def in_transaction(self) -> bool:
        """True while a transaction is open (also one a failed statement aborted)."""
        if self._conn.closed:
            return False
        return self._conn.info.transaction_status != pq.TransactionStatus.IDLE

    def execute(self, statement: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        """Run one statement (`?` placeholders); its cursor."""
        if not params:  # no placeholders to fill: the statement as written
            return self._ready().execute(statement)
        return self._ready().execute(pg_placeholders(statement), tuple(params))

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> psycopg.Cursor[Any]:
        """Run one statement for each row (pipelined by psycopg); the cursor, rowcount summed."""
        cursor = self._ready().cursor()
        cursor.executemany(pg_placeholders(statement), [tuple(r) for r in rows])
        return cursor

    def executescript(self, script: str) -> None:
        """Run statements separated by `;` (no parameters)."""
        conn = self._ready()
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(statement)

    def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Load rows with COPY (the fast way to seed a table)."""
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with self._ready().cursor().copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def try_lock(self, key: int) -> bool:
        """Take a session-level advisory lock if it is free."""
        row = self.execute("SELECT pg_try_advisory_lock(?)", (key,)).fetchone()
        return bool(row and row[0])

    def unlock(self, key: int) -> None:
        """Release a session-level advisory lock taken with `try_lock`."""
        self.execute("SELECT pg_advisory_unlock(?)", (key,))

    def rollback(self) -> None:
        """End the open transaction without its effects (nothing to do on a broken link)."""
        if self._conn.closed or self._conn.broken:
            return
        if self.in_transaction:
            self._conn.execute("ROLLBACK")

    def close(self) -> None:
        """Close the connection (its advisory locks go with it)."""
        self._conn.close()
