"""What a benchmark run sees on the bus: root settlements as they come, every record afterwards.

During a run only `dossier.settled` is read, and only records keyed by a dossier the
benchmark injected are parsed, so the benchmark takes little CPU from the services.
The other topics are scanned once the run is over (`scan_records`): counts and sizes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts.topics import all_topic_names
from services.kit.kafka_access import simulator_access
from services.kit.topics_admin import topic_partitions
from simulator.bench.dossier_table import DossierIndex, Settled, Settlements

__all__ = ["RecordScan", "SettlementWatcher", "end_offsets", "scan_records"]


async def end_offsets(bootstrap: str, topics: list[str] | None = None) -> dict[TopicPartition, int]:
    """Current end offset of every partition of these topics (default: all of the system's)."""
    known = await topic_partitions(bootstrap, topics or all_topic_names())
    partitions = [TopicPartition(t, p) for t, ps in known.items() for p in ps]
    consumer = AIOKafkaConsumer(
        **simulator_access(bootstrap).aiokafka_options(), client_id="bench-offsets"
    )
    await consumer.start()
    try:
        return dict(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


@dataclass
class SettlementWatcher:
    """Reads `dossier.settled` from given offsets; keeps the first settlement of each
    expected dossier (`keep_all`: of each dossier, for ids known only afterwards)."""

    bootstrap: str
    keep_all: bool = False  # every dossier's settlement counts, expected or not
    index: DossierIndex = field(default_factory=DossierIndex)  # the expected dossiers
    duplicates: int = 0
    _task: asyncio.Task[None] | None = None
    _fresh: list[str] = field(default_factory=list)  # settled since `wait` last looked

    def __post_init__(self) -> None:
        self.settled = Settlements(self.index)

    async def start(self, offsets: dict[TopicPartition, int]) -> None:
        """Start reading `dossier.settled` at these offsets."""
        self._consumer = AIOKafkaConsumer(
            **simulator_access(self.bootstrap).aiokafka_options(),
            enable_auto_commit=False,
            client_id="bench-watch",
            fetch_max_wait_ms=50,
        )
        await self._consumer.start()
        mine = {tp: o for tp, o in offsets.items() if tp.topic == "dossier.settled"}
        self._consumer.assign(list(mine))
        for tp, offset in mine.items():
            self._consumer.seek(tp, offset)
        self._task = asyncio.create_task(self._run())

    def expect(self, dossier_ids: list[str]) -> None:
        """Dossiers whose settlements count (injected roots)."""
        self.index.add(dossier_ids)

    async def _run(self) -> None:
        while True:
            batches = await self._consumer.getmany(timeout_ms=200, max_records=5000)
            for records in batches.values():
                for record in records:
                    key = (record.key or b"").decode()
                    if self.index.position(key, add=self.keep_all) is None:
                        continue
                    if key in self.settled:
                        self.duplicates += 1
                        continue
                    data = orjson.loads(record.value or b"{}").get("data", {})
                    settled_by, outcome = data.get("settled_by"), data.get("outcome")
                    self.settled.put(key, Settled(record.timestamp, str(settled_by), str(outcome)))
                    self._fresh.append(key)

    def count(self, dossier_ids: list[str]) -> int:
        """How many of these dossiers have settled."""
        return sum(1 for d in dossier_ids if d in self.settled)

    async def wait(self, dossier_ids: list[str], timeout_s: float) -> bool:
        """Wait until every one of these dossiers has settled; False on timeout."""
        deadline = time.monotonic() + timeout_s
        pending = {d for d in dossier_ids if d not in self.settled}
        while pending:
            fresh, self._fresh = self._fresh, []
            pending.difference_update(fresh)  # only what settled since the last look
            if not pending:
                break
            if time.monotonic() > deadline or (self._task and self._task.done()):
                return False
            await asyncio.sleep(0.05)
        return True

    async def stop(self) -> None:
        """Stop reading."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._consumer.stop()


@dataclass
class RecordScan:
    """Counts and sizes of the records a run put on the bus."""

    per_topic: dict[str, int] = field(default_factory=dict)
    #: how many records had each (key size, value size): bounded, whatever the run's length
    sizes: Counter[tuple[int, int]] = field(default_factory=Counter)
    bytes_total: int = 0

    @property
    def value_sizes(self) -> Counter[int]:
        """How many records had each value size."""
        counts: Counter[int] = Counter()
        for (_, value), n in self.sizes.items():
            counts[value] += n
        return counts

    @property
    def total(self) -> int:
        """Records over every topic."""
        return sum(self.per_topic.values())


async def scan_records(
    bootstrap: str, start: dict[TopicPartition, int], end: dict[TopicPartition, int]
) -> RecordScan:
    """Read every record between two offset snapshots (one pass, no parsing).

    The consumer prefetches up to `max_partition_fetch_bytes` for each of the run's
    partitions (about forty, dead-letter topics included): at 8 MiB that was the bench
    process's peak memory (the scan is in no timed figure)."""
    scan = RecordScan()
    todo = {tp: end[tp] for tp in end if end[tp] > start.get(tp, 0)}
    if not todo:
        return scan
    consumer = AIOKafkaConsumer(
        **simulator_access(bootstrap).aiokafka_options(),
        enable_auto_commit=False,
        client_id="bench-scan",
        max_partition_fetch_bytes=1024 * 1024,
    )
    await consumer.start()
    try:
        consumer.assign(list(todo))
        for tp in todo:
            consumer.seek(tp, start.get(tp, 0))
        while todo:
            batches = await consumer.getmany(*todo, timeout_ms=1000, max_records=5_000)
            for tp, records in batches.items():
                for record in records:
                    if record.offset >= todo.get(tp, -1):
                        continue
                    value, key = len(record.value or b""), len(record.key or b"")
                    scan.per_topic[tp.topic] = scan.per_topic.get(tp.topic, 0) + 1
                    scan.sizes[(key, value)] += 1
                    scan.bytes_total += value + key
                if records and records[-1].offset + 1 >= todo.get(tp, 0):
                    todo.pop(tp, None)
                    consumer.pause(tp)
    finally:
        await consumer.stop()
    return scan
