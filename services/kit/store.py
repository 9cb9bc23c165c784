"""A service's own SQLite store: its tables plus processed-event ids and an outbox.

All access goes through one `StoreWorker`, one call at a time, in order: inline on the
event loop's thread (the default: a batch's SQLite work and handlers run without
handing the GIL back and forth between two threads), or on a dedicated thread for a
service whose handlers may block (`store_thread`). A consumer
handles a batch of events in one transaction: the effects, the ids of the events
handled and the follow-up events (the outbox) are stored together, then the
outbox is published, then the offsets are committed (at-least-once, idempotent).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import orjson

__all__ = ["OutboxRecord", "ServiceStore", "StoreWorker"]

T = TypeVar("T")
P = ParamSpec("P")

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


_HEADERS_JSON: dict[tuple[tuple[str, str], ...], str] = {}


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
        self.db.execute("PRAGMA wal_autocheckpoint=4000")  # checkpoints (and fsyncs) 4x rarer
        self.db.execute("PRAGMA cache_size=-16384")  # 16 MiB of pages: fewer reads from the OS
        self.db.executescript(_KIT_SCHEMA + self.SCHEMA)
        self._last_seq: int | None = None

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

    def mark_processed_many(self, handled: Iterable[tuple[str, str]]) -> None:
        """Record that these events (id, topic) were handled."""
        self.db.executemany(
            "INSERT OR IGNORE INTO processed_events (event_id, topic) VALUES (?, ?)", handled
        )

    # -- outbox -------------------------------------------------------------
    def add_outbox(self, records: Iterable[OutboxRecord]) -> list[OutboxRecord]:
        """Store follow-up records in the open transaction; they come back with their seq."""
        if self._last_seq is None:
            row = self.db.execute(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0), "
                "COALESCE((SELECT MAX(seq) FROM outbox), 0))"
            ).fetchone()
            self._last_seq = int(row[0])
        stored = []
        rows = []
        for r in records:
            self._last_seq += 1
            stored.append(OutboxRecord(r.topic, r.key, r.value, r.headers, self._last_seq))
            headers = _HEADERS_JSON.get(r.headers)
            if headers is None:
                headers = orjson.dumps(r.headers).decode()
                if len(_HEADERS_JSON) < 64:  # the few usual ones; dead letters' are all unique
                    _HEADERS_JSON[r.headers] = headers
            rows.append((self._last_seq, r.topic, r.key, r.value, headers))
        self.db.executemany(
            "INSERT INTO outbox (seq, topic, key, value, headers) VALUES (?, ?, ?, ?, ?)", rows
        )
        return stored

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

    def delete_outbox_seqs(self, seqs: Iterable[int]) -> None:
        """Forget these published records, one statement per run of consecutive seqs."""
        runs: list[list[int]] = []
        for seq in sorted(seqs):
            if runs and seq == runs[-1][1] + 1:
                runs[-1][1] = seq
            else:
                runs.append([seq, seq])
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


class StoreWorker:
    """Runs every store call, one at a time and in order: inline, or on one dedicated thread.

    Inline (`thread=False`) a call runs on the event loop's thread when awaited: no thread
    handoff, no GIL contention with the loop (measured with `portalsim bench`, N = 15,000:
    at about half the peak rate p50 590 -> 379 ms, as the README says), but the loop waits while
    it runs, so handlers must not block. `thread=True` keeps the loop free for handlers
    that do (a slowed-down database in a fault scenario). `submit` (usable without a
    running loop, for long work at start such as seeding) always runs on the thread;
    an inline call waits until everything submitted before it is done.
    """

    def __init__(self, store: ServiceStore, thread: bool = True) -> None:
        self.store = store
        self.thread = thread
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._submitted: Future[Any] | None = None

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn(*args, **kwargs)` after every earlier call and return its result."""
        if self.thread:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, partial(fn, *args, **kwargs))
        submitted = self._submitted
        if submitted is not None and not submitted.done():
            await asyncio.wrap_future(submitted)
        await asyncio.sleep(0)  # what is ready (a producer's send) goes before a long call
        return fn(*args, **kwargs)

    def submit(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue `fn(*args)` on the store thread now (no event loop needed); calls run in order."""
        future = self._executor.submit(fn, *args, **kwargs)
        self._submitted = future
        return future

    def close(self) -> None:
        """Finish pending calls and close the store."""
        self._executor.shutdown(wait=True)
        self.store.close()
