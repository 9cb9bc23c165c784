"""A service's own store: its tables plus processed-event ids and an outbox.

Two engines behind one interface: a SQLite file (the default: one process owns it) or
a schema of a PostgreSQL database (`store_url`), which every replica of the service
shares. What the two say differently is in `sql_dialect`; the PostgreSQL connection,
which answers like `sqlite3`'s, in `pg_connection`; the outbox table in `outbox_table`.

All access goes through one `StoreWorker` (`store_worker`), one call at a time, in
order. A consumer handles a batch of events in one transaction: the effects, the ids of
the events handled and the follow-up events (the outbox) are stored together, then the
outbox is published, then the offsets are committed (at-least-once, idempotent).
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self

from services.kit.outbox_table import OutboxRecord, OutboxTable
from services.kit.sql_dialect import POSTGRES, SQLITE, Dialect, lock_key
from services.kit.store_worker import StoreWorker

if TYPE_CHECKING:
    from services.kit.settings import ServiceSettings

__all__ = ["OutboxRecord", "ServiceStore", "StoreRow", "StoreWorker", "is_store_url"]

_PROCESSED = """
CREATE TABLE IF NOT EXISTS processed_events (
    event_id TEXT PRIMARY KEY,
    topic TEXT NOT NULL
) WITHOUT ROWID;
"""


class StoreRow(Protocol):
    """A row as either engine returns it: by position or by column name."""

    def __getitem__(self, key: Any, /) -> Any: ...


def is_store_url(target: object) -> bool:
    """True for a PostgreSQL URL (`postgresql://...`), False for a SQLite file path."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


class ServiceStore:
    """Base of each service's repository: connection, kit tables, transactions.

    `target` is a SQLite file or a PostgreSQL URL; on PostgreSQL the tables live in the
    schema `schema` and this process is the replica `replica` (its outbox rows are its
    own). Subclasses add their schema in `SCHEMA` (written for SQLite: `dialect.ddl`
    gives PostgreSQL its types) and their queries as methods, in the SQL both engines run.
    """

    SCHEMA = ""

    def __init__(self, target: Path | str, *, schema: str = "portalsim", replica: str = "") -> None:
        self.db: Any
        if is_store_url(target):
            from services.kit.pg_connection import PgConnection

            self.dialect: Dialect = POSTGRES
            self.db = PgConnection(str(target), schema, replica)
        else:
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.path = path
            self.dialect = SQLITE
            self.db = _sqlite(path)
        self.schema = schema
        self.outbox = OutboxTable(self.db, self.dialect, schema, replica)
        if self.dialect.is_postgres:
            with self.transaction():
                self.lock("schema")  # replicas starting together create it once
                self._create()
        else:
            self._create()  # (executescript would commit an open SQLite transaction)

    def _create(self) -> None:
        self.db.executescript(self.dialect.ddl(_PROCESSED + self.SCHEMA) + self.outbox.ddl())
        self.migrate()

    @classmethod
    def from_settings(cls, settings: ServiceSettings, service: str, filename: str) -> Self:
        """The store the settings choose: PostgreSQL (`store_url`, schema = the service's
        name) or the SQLite file `filename` in the data folder."""
        if settings.store_url is not None:
            url = settings.store_url.get_secret_value()
            replica = settings.replica or f"{service}@{socket.gethostname()}"
            return cls(url, schema=service, replica=replica)
        return cls(settings.data_dir / filename)

    def migrate(self) -> None:
        """Bring an older store up to the current schema (in the creating transaction)."""

    def columns(self, table: str) -> set[str]:
        """The column names of one of the store's tables."""
        if self.dialect.is_postgres:
            rows = self.db.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = ?",
                (table,),
            )
            return {row[0] for row in rows}
        return {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    # -- transactions -------------------------------------------------------
    def begin(self) -> None:
        """Start a write transaction."""
        self.db.execute(self.dialect.begin_sql)

    def commit(self) -> None:
        """Commit the open transaction."""
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        """Roll back the open transaction, if any."""
        if self.dialect.is_postgres:
            self.db.rollback()
        elif self.db.in_transaction:
            self.db.execute("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        self.begin()
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def lock(self, name: str) -> None:
        """Hold a lock named `name` until the transaction ends: replicas sharing the store
        take turns at what it guards (on SQLite the write transaction is such a lock)."""
        statement = self.dialect.lock_sql()
        if statement is not None:
            self.db.execute(statement, (lock_key(f"{self.schema}/{name}"),))

    def savepoint(self) -> None:
        """Mark a point to roll one event's effects back to."""
        self.db.execute("SAVEPOINT event")

    def release(self) -> None:
        """Keep the effects since the savepoint."""
        self.db.execute("RELEASE SAVEPOINT event")

    def rollback_to_savepoint(self) -> None:
        """Undo the effects since the savepoint."""
        self.db.execute("ROLLBACK TO SAVEPOINT event")
        self.db.execute("RELEASE SAVEPOINT event")

    def is_transient(self, exc: BaseException) -> bool:
        """True for an error after which the whole batch is worth trying again: the
        database busy or locked, a deadlock, a lost connection."""
        return isinstance(exc, self.dialect.transient_errors)

    # -- daily numbers ------------------------------------------------------
    def next_in_sequence(
        self, table: str, column: str, unit_code: str, day: date, first: int
    ) -> int:
        """The next number of a unit's daily sequence (`first` for the day's first), in one
        atomic statement: replicas allocating at once each get a number of their own."""
        row = self.db.execute(
            f"INSERT INTO {table} (unit_code, day, {column}) VALUES (?, ?, ?) "
            f"ON CONFLICT (unit_code, day) DO UPDATE SET {column} = {table}.{column} + 1 "
            f"RETURNING {column}",
            (unit_code, day.isoformat(), first),
        ).fetchone()
        return int(row[0])

    # -- idempotency --------------------------------------------------------
    def is_processed(self, event_id: str) -> bool:
        """True when an event with this id was handled before."""
        row = self.db.execute(
            "SELECT 1 FROM processed_events WHERE event_id = ?", (event_id,)
        ).fetchone()
        return row is not None

    def processed_among(self, event_ids: Sequence[str]) -> set[str]:
        """Those of these event ids that were handled before (one query per 500 ids)."""
        found: set[str] = set()
        for start in range(0, len(event_ids), 500):
            chunk = event_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT event_id FROM processed_events WHERE event_id IN ({marks})", chunk
            )
            found.update(row[0] for row in rows)
        return found

    def mark_processed(self, event_id: str, topic: str) -> None:
        """Record that an event was handled."""
        self.mark_processed_many([(event_id, topic)])

    def mark_processed_many(self, handled: Iterable[tuple[str, str]]) -> int:
        """Record that these events (id, topic) were handled; how many were new.

        Fewer than given means another replica handled some of them meanwhile.
        """
        rows = list(handled)
        if not rows:
            return 0
        cursor = self.db.executemany(
            "INSERT INTO processed_events (event_id, topic) VALUES (?, ?) ON CONFLICT DO NOTHING",
            rows,
        )
        return int(cursor.rowcount)

    # -- outbox -------------------------------------------------------------
    def add_outbox(self, records: Iterable[OutboxRecord]) -> list[OutboxRecord]:
        """Store follow-up records in the open transaction; they come back with their seq."""
        return self.outbox.add(records)

    def pending_outbox(self, limit: int = 5000) -> list[OutboxRecord]:
        """This replica's records stored but not yet known to be published, oldest first
        (on PostgreSQL first taking over those of replicas that are gone)."""
        return self.outbox.pending(limit)

    def delete_outbox(self, up_to_seq: int) -> None:
        """Forget records up to a sequence number once they are published."""
        self.db.execute("DELETE FROM outbox WHERE seq <= ?", (up_to_seq,))

    def delete_outbox_seqs(self, seqs: Iterable[int]) -> None:
        """Forget these published records, one statement per run of consecutive seqs."""
        runs = _runs(seqs)
        if not runs:
            return
        in_transaction = self.db.in_transaction
        if not in_transaction:
            self.begin()
        try:
            self.db.executemany("DELETE FROM outbox WHERE seq BETWEEN ? AND ?", runs)
            if not in_transaction:
                self.commit()
        except BaseException:
            if not in_transaction:
                self.rollback()
            raise


def _runs(seqs: Iterable[int]) -> list[list[int]]:
    """Consecutive seqs as [first, last] runs (a replica's own seqs only: runs never span
    another replica's records, which are not consecutive with its own)."""
    runs: list[list[int]] = []
    for seq in sorted(seqs):
        if runs and seq == runs[-1][1] + 1:
            runs[-1][1] = seq
        else:
            runs.append([seq, seq])
    return runs


def _sqlite(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=5000")
    db.execute("PRAGMA wal_autocheckpoint=4000")  # checkpoints (and fsyncs) 4x rarer
    db.execute("PRAGMA cache_size=-16384")  # 16 MiB of pages: fewer reads from the OS
    return db
