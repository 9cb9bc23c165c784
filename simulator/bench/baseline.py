"""The raw-Kafka baseline: plain aiokafka moving the same records as the pipeline did.

The same number of records with the same key and value sizes go to a fresh topic with
as many partitions as the system's topics, produced with the services' guarantee
(`acks=all`) and consumed by a consumer group that commits after each batch, both at
once and as fast as they can. The time is from the first send to the last record
consumed and committed; the topic is deleted afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import CommitFailedError

from services.kit.kafka_access import simulator_access

__all__ = ["BaselineResult", "run_baseline"]

log = structlog.get_logger("portalsim.bench.baseline")

PARTITIONS = 3
#: The producing loop hands the event loop over this often. `producer.send` returns without
#: yielding while its buffer has room, and a 2-million-record loop that never yields
#: starved the consumer's heartbeats: the group dropped it and its commit failed.
YIELD_EVERY = 500
#: Sends whose confirms may be pending at once (the memory of a long run stays flat).
CONFIRMS_IN_FLIGHT = 20_000
_FILLER = os.urandom(1 << 20)


@dataclass(frozen=True)
class BaselineResult:
    """How fast plain aiokafka moved the records."""

    records: int
    bytes: int
    produce_seconds: float
    seconds: float  # first send to last record consumed and committed

    @property
    def records_per_second(self) -> float:
        """Records produced and consumed per second."""
        return self.records / self.seconds if self.seconds else 0.0


def _payload(size: int, index: int) -> bytes:
    start = (index * 7919) % max(1, len(_FILLER) - size)
    return _FILLER[start : start + size] if size <= len(_FILLER) else b"x" * size


def _key(size: int, index: int) -> bytes | None:
    if size == 0:
        return None
    return (f"{index:x}-" + uuid.uuid4().hex * (1 + size // 32))[:size].encode()


async def _consume(consumer: AIOKafkaConsumer, total: int) -> None:
    """Consume until every record was seen once, committing after each batch.

    Progress is counted by offsets, not records, so a rebalance that hands records out
    again cannot make it stop early; a commit the group refuses after a rebalance is
    left to the next batch (the measurement needs every record consumed, not that commit).
    """
    upto: dict[TopicPartition, int] = {}
    while sum(upto.values()) < total:
        batches = await consumer.getmany(timeout_ms=100, max_records=5000)
        for tp, records in batches.items():
            upto[tp] = max(upto.get(tp, 0), records[-1].offset + 1)
        if batches:
            try:
                await consumer.commit()
            except CommitFailedError as exc:
                log.warning("baseline commit refused after a rebalance; going on", error=str(exc))


async def _wait_assigned(consumer: AIOKafkaConsumer, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not consumer.assignment():
        if time.monotonic() > deadline:
            raise TimeoutError("the baseline consumer got no partitions")
        await consumer.getmany(timeout_ms=100)


def _records(sizes: Mapping[tuple[int, int], int]) -> Iterator[tuple[bytes | None, bytes]]:
    """Records of these (key size, value size) counts, made as they are sent (none kept)."""
    index = 0
    for (key_size, value_size), count in sorted(sizes.items()):
        for _ in range(count):
            yield _key(key_size, index), _payload(value_size, index)
            index += 1


async def run_baseline(bootstrap: str, sizes: Mapping[tuple[int, int], int]) -> BaselineResult:
    """Produce and consume as many records of each (key size, value size) as `sizes`
    counts; time it."""
    name = f"bench.baseline.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(
        **simulator_access(bootstrap).aiokafka_options(), client_id="bench-baseline"
    )
    await admin.start()
    await admin.create_topics([NewTopic(name, num_partitions=PARTITIONS, replication_factor=1)])
    total = sum(sizes.values())
    producer = AIOKafkaProducer(
        **simulator_access(bootstrap).aiokafka_options(),
        acks="all",
        linger_ms=5,
        max_batch_size=64 * 1024,
    )
    consumer = AIOKafkaConsumer(
        name,
        **simulator_access(bootstrap).aiokafka_options(),
        group_id=f"simulator-bench-baseline-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 * 1024 * 1024,
        session_timeout_ms=30_000,  # the machine is saturated while the baseline runs
        heartbeat_interval_ms=3_000,
    )
    await producer.start()
    await consumer.start()
    try:
        await _wait_assigned(consumer)
        started = time.perf_counter()
        consuming = asyncio.create_task(_consume(consumer, total))
        sends = []
        for index, (key, value) in enumerate(_records(sizes)):
            sends.append(await producer.send(name, value, key=key))
            if index % YIELD_EVERY == YIELD_EVERY - 1:
                await asyncio.sleep(0)  # the consumer and its heartbeats run too
            if len(sends) >= CONFIRMS_IN_FLIGHT:  # bounded: confirms awaited as it goes
                await asyncio.gather(*sends)
                sends.clear()
        await asyncio.gather(*sends)
        produced = time.perf_counter() - started
        await consuming
        elapsed = time.perf_counter() - started
    finally:
        await producer.stop()
        await consumer.stop()
        with contextlib.suppress(Exception):
            await admin.delete_topics([name])
        await admin.close()
    size = sum((key + value) * n for (key, value), n in sizes.items())
    return BaselineResult(total, size, produced, elapsed)
