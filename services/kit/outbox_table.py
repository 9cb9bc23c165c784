"""The outbox table: follow-up records stored with a batch's effects, until published.

On SQLite one process owns the file, so the store numbers the records itself (`seq`,
counted on from the highest ever used). On PostgreSQL every replica of a service shares
the table: `seq` comes from a sequence, and each row carries the `replica` that stored
it. A replica publishes only its own rows, straight from memory after its transaction
(the kit's pipeline keeps their order per partition), and reads back only its own
leftovers. Claiming rows with `FOR UPDATE SKIP LOCKED` instead would let a replica
publish records another one is publishing at that moment (the same event id twice in a
run without faults, and out of order). What a replica that is gone left behind is
taken over: each connected replica holds an advisory lock of its own, and whoever can
take a replica's lock knows its session has ended (docs/scaling.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson

from services.kit.sql_dialect import Dialect

__all__ = ["OutboxRecord", "OutboxTable"]

_SQLITE_DDL = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    key BLOB,
    value BLOB NOT NULL,
    headers TEXT NOT NULL
);
"""
_PG_DDL = """
CREATE TABLE IF NOT EXISTS outbox (
    seq BIGINT PRIMARY KEY,
    replica TEXT NOT NULL,
    topic TEXT NOT NULL,
    key BYTEA,
    value BYTEA NOT NULL,
    headers TEXT NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS outbox_seq;
CREATE INDEX IF NOT EXISTS outbox_by_replica ON outbox (replica, seq);
"""

_HEADERS_JSON: dict[tuple[tuple[str, str], ...], str] = {}


@dataclass(frozen=True)
class OutboxRecord:
    """A Kafka record waiting to be published (headers as UTF-8 text pairs)."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, str], ...] = ()
    seq: int = 0


def _headers_json(headers: tuple[tuple[str, str], ...]) -> str:
    text = _HEADERS_JSON.get(headers)
    if text is None:
        text = orjson.dumps(headers).decode()
        if len(_HEADERS_JSON) < 64:  # the few usual ones; dead letters' are all unique
            _HEADERS_JSON[headers] = text
    return text


class OutboxTable:
    """The outbox of one store (see the module)."""

    def __init__(self, db: Any, dialect: Dialect, schema: str, replica: str) -> None:
        self.db = db
        self.dialect = dialect
        self.schema = schema
        self.replica = replica
        self._last_seq: int | None = None
        self._captured: list[OutboxRecord] | None = None

    @contextmanager
    def capturing(self) -> Iterator[list[OutboxRecord]]:
        """The records stored while the block runs, as `add` returns them (with their seq):
        an HTTP request's, published from memory (`request_publishing`)."""
        captured: list[OutboxRecord] = []
        self._captured = captured
        try:
            yield captured
        finally:
            self._captured = None

    def ddl(self) -> str:
        """The table (and on PostgreSQL its sequence)."""
        return _PG_DDL if self.dialect.is_postgres else _SQLITE_DDL

    def _next_seqs(self, count: int) -> list[int]:
        if self.dialect.is_postgres:
            rows = self.db.execute(
                "SELECT nextval('outbox_seq') FROM generate_series(1, ?)", (count,)
            ).fetchall()
            return [int(row[0]) for row in rows]
        if self._last_seq is None:
            row = self.db.execute(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0), "
                "COALESCE((SELECT MAX(seq) FROM outbox), 0))"
            ).fetchone()
            self._last_seq = int(row[0])
        first = self._last_seq + 1
        self._last_seq += count
        return list(range(first, first + count))

    def add(self, records: Iterable[OutboxRecord]) -> list[OutboxRecord]:
        """Store records in the open transaction; they come back with their seq."""
        given = list(records)
        if not given:
            return []
        seqs = self._next_seqs(len(given))
        stored = [
            OutboxRecord(r.topic, r.key, r.value, r.headers, seq)
            for r, seq in zip(given, seqs, strict=True)
        ]
        if self.dialect.is_postgres:
            self.db.executemany(
                "INSERT INTO outbox (seq, replica, topic, key, value, headers) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (r.seq, self.replica, r.topic, r.key, r.value, _headers_json(r.headers))
                    for r in stored
                ],
            )
        else:
            self.db.executemany(
                "INSERT INTO outbox (seq, topic, key, value, headers) VALUES (?, ?, ?, ?, ?)",
                [(r.seq, r.topic, r.key, r.value, _headers_json(r.headers)) for r in stored],
            )
        if self._captured is not None:
            self._captured.extend(stored)
        return stored

    def pending(self, limit: int) -> list[OutboxRecord]:
        """This replica's unpublished records, oldest first."""
        if self.dialect.is_postgres:
            self._adopt_orphans()
            rows = self.db.execute(
                "SELECT seq, topic, key, value, headers FROM outbox WHERE replica = ? "
                "ORDER BY seq LIMIT ?",
                (self.replica, limit),
            ).fetchall()
        else:
            rows = self.db.execute(
                "SELECT seq, topic, key, value, headers FROM outbox ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            OutboxRecord(
                topic=row["topic"],
                key=None if row["key"] is None else bytes(row["key"]),
                value=bytes(row["value"]),
                headers=tuple((k, v) for k, v in orjson.loads(row["headers"])),
                seq=row["seq"],
            )
            for row in rows
        ]

    def _adopt_orphans(self) -> None:
        """Take over the rows of replicas whose session is gone (their lock is free)."""
        from services.kit.pg_connection import replica_lock_key

        others = self.db.execute(
            "SELECT DISTINCT replica FROM outbox WHERE replica <> ?", (self.replica,)
        ).fetchall()
        for (other,) in others:
            key = replica_lock_key(self.schema, other)
            if self.db.try_lock(key):  # its owner is gone: nobody publishes them
                try:
                    self.db.execute(
                        "UPDATE outbox SET replica = ? WHERE replica = ?", (self.replica, other)
                    )
                finally:
                    self.db.unlock(key)
