"""A service's own SQLite store: its tables plus processed-event ids and an outbox.

All access goes through one worker thread (`StoreWorker`), so the event loop never
blocks on SQLite and the connection is never shared between threads. A consumer
handles a batch of events in one transaction: the effects, the ids of the events
handled and the follow-up events (the outbox) are stored together, then the
outbox is published, then the offsets are committed (at-least-once, idempotent).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import orjson

__all__ = ["OutboxRecord", "ServiceStore", "StoreWorker"]

T = TypeVar("T")

_KIT_SCHEMA = """
CREATE TABLE IF NOT EXISTS processed_events (
    event_id TEXT PRIMARY KEY,
    topic TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    key BLOB,
    value BLOB NOT NULL,
    headers TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class OutboxRecord:
    """A Kafka record waiting to be published (headers as UTF-8 text pairs)."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, str], ...] = ()
    seq: int = 0


class ServiceStore:
    """Base of each service's repository: connection, kit tables, transactions.

    Subclasses add their schema in `SCHEMA` and their queries as methods. Every
    method runs on the store's worker thread.
    """

    SCHEMA = ""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        self.db.executescript(_KIT_SCHEMA + self.SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    # -- transactions -------------------------------------------------------
    def begin(self) -> None:
        """Start a write transaction."""
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        """Commit the open transaction."""
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        """Roll back the open transaction, if any."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

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

    # -- idempotency --------------------------------------------------------
    def is_processed(self, event_id: str) -> bool:
        """True when an event with this id was handled before."""
        row = self.db.execute(
            "SELECT 1 FROM processed_events WHERE event_id = ?", (event_id,)
        ).fetchone()
        return row is not None

    def mark_processed(self, event_id: str, topic: str) -> None:
        """Record that an event was handled."""
        self.db.execute(
            "INSERT OR IGNORE INTO processed_events (event_id, topic) VALUES (?, ?)",
            (event_id, topic),
        )

    # -- outbox -------------------------------------------------------------
    def add_outbox(self, records: Iterable[OutboxRecord]) -> None:
        """Store follow-up records in the open transaction."""
        self.db.executemany(
            "INSERT INTO outbox (topic, key, value, headers) VALUES (?, ?, ?, ?)",
            [(r.topic, r.key, r.value, orjson.dumps(r.headers).decode()) for r in records],
        )

    def pending_outbox(self, limit: int = 5000) -> list[OutboxRecord]:
        """Records stored but not yet known to be published, oldest first."""
        rows = self.db.execute(
            "SELECT seq, topic, key, value, headers FROM outbox ORDER BY seq LIMIT ?", (limit,)
        ).fetchall()
        return [
            OutboxRecord(
                topic=row["topic"],
                key=row["key"],
                value=row["value"],
                headers=tuple((k, v) for k, v in orjson.loads(row["headers"])),
                seq=row["seq"],
            )
            for row in rows
        ]

    def delete_outbox(self, up_to_seq: int) -> None:
        """Forget records up to a sequence number once they are published."""
        self.db.execute("DELETE FROM outbox WHERE seq <= ?", (up_to_seq,))


class StoreWorker:
    """Runs every store call on one dedicated thread."""

    def __init__(self, store: ServiceStore) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """Run `fn(*args)` on the store thread and return its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, *args)

    def submit(self, fn: Callable[..., T], *args: object) -> Future[T]:
        """Queue `fn(*args)` on the store thread now (no event loop needed); calls run in order."""
        return self._executor.submit(fn, *args)

    def close(self) -> None:
        """Finish pending calls and close the store."""
        self._executor.shutdown(wait=True)
        self.store.close()
