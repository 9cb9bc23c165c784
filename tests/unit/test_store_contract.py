"""The store's contract, the same on SQLite and on PostgreSQL: transactions, savepoints,
processed ids, the outbox, daily numbers, rows by name and position. Then what only
replicas sharing one PostgreSQL schema can show: their outboxes kept apart, the outbox of
a replica that is gone taken over, numbers and row locks under two connections at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from services.kit.store import OutboxRecord, ServiceStore
from tests.stores import StoreBackend


class Things(ServiceStore):
    """A store with one table of its own (a counter per name) and a daily sequence."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS things (name TEXT PRIMARY KEY, n INTEGER NOT NULL, raw BLOB)
        WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS numbers (
        unit_code TEXT NOT NULL, day TEXT NOT NULL, last INTEGER NOT NULL,
        PRIMARY KEY (unit_code, day)
    ) WITHOUT ROWID;
    """

    def put(self, name: str, n: int, raw: bytes = b"") -> None:
        self.db.execute(
            "INSERT INTO things (name, n, raw) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET n = excluded.n, raw = excluded.raw",
            (name, n, raw),
        )

    def get(self, name: str, *, lock: bool = False) -> int | None:
        row = self.db.execute(
            "SELECT n FROM things WHERE name = ?" + (self.dialect.for_update if lock else ""),
            (name,),
        ).fetchone()
        return None if row is None else int(row["n"])


@pytest.fixture
def store(store_backend: StoreBackend) -> Iterator[Things]:
    opened = store_backend.open(Things)
    yield opened
    opened.close()


def _records(*values: bytes) -> list[OutboxRecord]:
    return [OutboxRecord("topic", b"key", v, (("h", "1"),)) for v in values]


def test_a_transaction_commits_or_rolls_back_whole(store: Things) -> None:
    with store.transaction():
        store.put("a", 1)
    with pytest.raises(RuntimeError), store.transaction():
        store.put("a", 2)
        store.put("b", 1)
        raise RuntimeError("no")
    assert (store.get("a"), store.get("b")) == (1, None)


def test_a_savepoint_undoes_one_events_effects_only(store: Things) -> None:
    with store.transaction():
        store.put("kept", 1)
        store.savepoint()
        store.put("undone", 1)
        store.rollback_to_savepoint()
        store.savepoint()
        store.put("released", 1)
        store.release()
    assert [store.get(n) for n in ("kept", "undone", "released")] == [1, None, 1]


def test_rows_read_by_name_and_by_position_and_bytes_come_back_as_bytes(store: Things) -> None:
    with store.transaction():
        store.put("x", 7, b"\x00\xffraw")
    row = store.db.execute("SELECT name, n, raw FROM things").fetchone()
    assert (row[0], row["n"], bytes(row["raw"])) == ("x", 7, b"\x00\xffraw")
    assert store.columns("things") == {"name", "n", "raw"}


def test_processed_ids_count_only_what_is_new(store: Things) -> None:
    with store.transaction():
        assert store.mark_processed_many([("e1", "t"), ("e2", "t")]) == 2
        assert store.mark_processed_many([("e2", "t"), ("e3", "t")]) == 1
    assert store.processed_among(["e1", "e3", "e4"]) == {"e1", "e3"}
    assert store.is_processed("e2") and not store.is_processed("e4")


def test_the_outbox_keeps_order_and_forgets_what_was_published(store: Things) -> None:
    with store.transaction():
        first = store.add_outbox(_records(b"1", b"2"))
        second = store.add_outbox(_records(b"3"))
    seqs = [r.seq for r in first + second]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    pending = store.pending_outbox()
    assert [r.value for r in pending] == [b"1", b"2", b"3"]
    assert pending[0].headers == (("h", "1"),) and pending[0].key == b"key"
    store.delete_outbox_seqs([seqs[0], seqs[2]])
    assert [r.value for r in store.pending_outbox()] == [b"2"]


def test_outbox_numbers_go_on_after_a_restart(store_backend: StoreBackend, store: Things) -> None:
    with store.transaction():
        (record,) = store.add_outbox(_records(b"1"))
    store.delete_outbox_seqs([record.seq])
    store.close()
    reopened = store_backend.open(Things)
    with reopened.transaction():
        (later,) = reopened.add_outbox(_records(b"2"))
    assert later.seq > record.seq
    reopened.close()


def test_daily_numbers_run_per_unit_and_day(store: Things) -> None:
    monday, tuesday = date(2026, 3, 2), date(2026, 3, 3)
    with store.transaction():
        numbers = [store.next_in_sequence("numbers", "last", "001", monday, 1) for _ in range(3)]
        assert numbers == [1, 2, 3]
        assert store.next_in_sequence("numbers", "last", "002", monday, 1) == 1
        assert store.next_in_sequence("numbers", "last", "001", tuesday, 1) == 1


# -- replicas sharing one PostgreSQL schema ----------------------------------------------


@pytest.fixture
def pg_backend(postgres_url: str, tmp_path: Path) -> Iterator[StoreBackend]:
    backend = StoreBackend(tmp_path, postgres_url)
    yield backend
    backend.drop()


def test_each_replica_publishes_only_its_own_outbox(pg_backend: StoreBackend) -> None:
    one, two = pg_backend.open(Things, "r1"), pg_backend.open(Things, "r2")
    with one.transaction():
        one.add_outbox(_records(b"one"))
    with two.transaction():
        two.add_outbox(_records(b"two"))
    assert [r.value for r in one.pending_outbox()] == [b"one"]
    assert [r.value for r in two.pending_outbox()] == [b"two"]
    one.close()
    two.close()


def test_the_outbox_of_a_replica_that_is_gone_is_taken_over(pg_backend: StoreBackend) -> None:
    gone, alive = pg_backend.open(Things, "r1"), pg_backend.open(Things, "r2")
    with gone.transaction():
        gone.add_outbox(_records(b"left behind"))
    assert alive.pending_outbox() == []  # its owner is connected: it publishes them
    gone.close()  # its session ends (the server notices a moment later), its lock with it
    deadline = time.monotonic() + 10
    while not (taken := alive.pending_outbox()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r.value for r in taken] == [b"left behind"]
    alive.close()


def test_two_replicas_numbering_at_once_never_share_a_number(pg_backend: StoreBackend) -> None:
    stores = [pg_backend.open(Things, f"r{i}") for i in range(2)]
    got: list[int] = []

    def allocate(store: Things) -> None:
        for _ in range(50):
            with store.transaction():
                got.append(store.next_in_sequence("numbers", "last", "001", date(2026, 3, 2), 1))

    threads = [threading.Thread(target=allocate, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(got) == list(range(1, 101))
    for store in stores:
        store.close()


def test_a_locked_row_is_read_modified_written_by_one_replica_at_a_time(
    pg_backend: StoreBackend,
) -> None:
    """The lost update two replicas would make of a linked group's state without the lock."""
    stores = [pg_backend.open(Things, f"r{i}") for i in range(2)]
    with stores[0].transaction():
        stores[0].put("group", 0)

    def settle_steps(store: Things) -> None:
        for _ in range(40):
            with store.transaction():
                n = store.get("group", lock=True)
                assert n is not None
                store.put("group", n + 1)

    threads = [threading.Thread(target=settle_steps, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert stores[0].get("group") == 80
    for store in stores:
        store.close()
