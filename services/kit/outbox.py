"""Publishing the outbox: stored records go to Kafka, every confirm is awaited, then they go.

Records are published straight from memory right after the transaction that stored them
commits (no read-back); what a crash or a failed publish left behind is read from the
store by `flush`. With a real broker the records go through one plain aiokafka producer
(`acks=all`), one record batch per partition; on FastStream's in-memory test broker, through
`broker.publish`. A record being published is never sent twice at once: whoever finds it
in flight waits for that publish instead.

A confirmed record stays in the store until a transaction deletes it: a batch's own
(`take_published`, then `deleted` or `restore`) or `forget_published`'s. Until that
transaction has committed the record is "being deleted", and `flush` (which an HTTP
request may start at any moment) leaves it alone: reading it back from the store and
sending it again would publish the same event id twice in a run without faults.
Likewise a batch's stored records are "claimed" from the moment its transaction returns
until the pipeline hands them over (`claim`, then `hand_over` or `release`): `flush`
leaves them to the pipeline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from faststream.kafka import KafkaBroker

from services.kit.kafka_access import KafkaAccess
from services.kit.metrics import ServiceMetrics
from services.kit.store import OutboxRecord, StoreWorker

__all__ = ["OutboxPublisher"]

_PARTITIONER = DefaultPartitioner()


class OutboxPublisher:
    """Sends outbox records, awaits their confirms, deletes them from the store."""

    def __init__(
        self, broker: KafkaBroker, worker: StoreWorker, metrics: ServiceMetrics | None = None
    ) -> None:
        self.broker = broker
        self.worker = worker
        self.metrics = metrics
        self.producer: AIOKafkaProducer | None = None
        self._inflight: dict[int, asyncio.Future[None]] = {}
        self._partitions: dict[str, list[int]] = {}
        self._partition_of: dict[tuple[str, bytes], int] = {}
        self.leftovers = True  # the store may hold records nobody is publishing
        self.published: list[int] = []  # confirmed; deleted with the next transaction
        self.deleting: set[int] = set()  # confirmed; a transaction not yet committed deletes them
        self.claimed: set[int] = set()  # stored by a batch; its pipeline link will hand them over

    @property
    def depth(self) -> int:
        """Records stored that this process has not yet had confirmed (handed over or not)."""
        return len(self.claimed) + len(self._inflight)

    async def start_producer(self, access: KafkaAccess, client_id: str, **config: Any) -> None:
        """Publish through a plain aiokafka producer from now on."""
        producer = AIOKafkaProducer(**access.aiokafka_options(), client_id=client_id, **config)
        await producer.start()
        self.producer = producer

    async def stop_producer(self) -> None:
        """Stop the producer (after the last flush)."""
        if self.producer is not None:
            producer, self.producer = self.producer, None
            await producer.stop()

    async def _partition(self, producer: AIOKafkaProducer, topic: str, key: bytes | None) -> int:
        """The partition Kafka's default partitioner gives a key (murmur2), remembered."""
        if key is None:
            every = sorted(await producer.partitions_for(topic))
            return int(_PARTITIONER(None, every, every))
        found = self._partition_of.get((topic, key))
        if found is None:
            partitions = self._partitions.get(topic)
            if partitions is None:
                partitions = self._partitions[topic] = sorted(await producer.partitions_for(topic))
            if len(self._partition_of) > 200_000:
                self._partition_of.clear()
            found = self._partition_of[(topic, key)] = _PARTITIONER(key, partitions, partitions)
        return found

    async def _send_all(self, records: Sequence[OutboxRecord]) -> list[Any]:
        """Hand the records to Kafka, one record batch per partition; their confirms."""
        producer = self.producer
        if producer is None:
            return [
                await self.broker.publish(
                    r.value, r.topic, key=r.key, headers=dict(r.headers), no_confirm=True
                )
                for r in records
            ]
        groups: dict[tuple[str, int], list[OutboxRecord]] = {}
        for record in records:
            partition = await self._partition(producer, record.topic, record.key)
            groups.setdefault((record.topic, partition), []).append(record)
        confirms = []
        for (topic_name, partition), group in groups.items():
            batch = producer.create_batch()
            for record in group:
                headers = [(k, v.encode()) for k, v in record.headers]
                while (
                    batch.append(
                        key=record.key, value=record.value, timestamp=None, headers=headers
                    )
                    is None
                ):  # full (a batch always takes its first record)
                    confirms.append(
                        await producer.send_batch(batch, topic_name, partition=partition)
                    )
                    batch = producer.create_batch()
            confirms.append(await producer.send_batch(batch, topic_name, partition=partition))
        return confirms

    async def publish(self, records: Sequence[OutboxRecord]) -> int:
        """Publish these stored records (in order), await every confirm, delete them."""
        return await (await self.hand_over(records))

    async def hand_over(self, records: Sequence[OutboxRecord]) -> Awaitable[int]:
        """Give the records to the producer now, in order; await the result for the confirms.

        The awaitable completes once every record is acknowledged and deleted from the
        store (and any of them another publish had in flight is confirmed too).
        """
        self.claimed.difference_update(r.seq for r in records)
        waits = {id(f): f for r in records if (f := self._inflight.get(r.seq)) is not None}
        fresh = [r for r in records if r.seq not in self._inflight]
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        for record in fresh:
            self._inflight[record.seq] = done
        try:
            confirms = await self._send_all(fresh) if fresh else []
        except BaseException as exc:
            self._failed(fresh, done, exc)
            raise
        return self._confirmed(fresh, confirms, done, list(waits.values()))

    async def _confirmed(
        self,
        fresh: list[OutboxRecord],
        confirms: list[Any],
        done: asyncio.Future[None],
        waits: list[asyncio.Future[None]],
    ) -> int:
        if fresh:
            try:
                await asyncio.gather(*(c for c in confirms if isinstance(c, asyncio.Future)))
                if self.producer is None:  # in-memory test broker: forget them at once
                    await self.worker.run(
                        self.worker.store.delete_outbox_seqs, [r.seq for r in fresh]
                    )
                else:
                    self.published.extend(r.seq for r in fresh)
                if self.metrics is not None:
                    self.metrics.published(fresh)
            except BaseException as exc:
                self._failed(fresh, done, exc)
                raise
            done.set_result(None)
            for record in fresh:
                self._inflight.pop(record.seq, None)
        if waits:
            await asyncio.gather(*waits)
        return len(fresh)

    def _failed(
        self, fresh: list[OutboxRecord], done: asyncio.Future[None], exc: BaseException
    ) -> None:
        self.leftovers = True
        if not done.done():
            done.set_exception(exc)
            done.exception()  # retrieved: whoever waits on it gets it too
        for record in fresh:
            self._inflight.pop(record.seq, None)

    async def flush(self) -> int:
        """Publish everything the store still holds; the number of records sent."""
        self.leftovers = False
        published = 0
        await self.forget_published()
        while True:
            pending = await self.worker.run(self.worker.store.pending_outbox)
            if not pending:
                return published
            done = self.deleting.union(self.published, self.claimed)
            fresh = [r for r in pending if r.seq not in self._inflight and r.seq not in done]
            if fresh:
                published += await self.publish(fresh)
                continue
            busy = {id(f): f for r in pending if (f := self._inflight.get(r.seq)) is not None}
            if not busy and all(r.seq in self.deleting or r.seq in self.claimed for r in pending):
                return published  # what is left is being deleted, or a batch's to hand over
            await asyncio.gather(*busy.values())
            await self.forget_published()

    def claim(self, records: Sequence[OutboxRecord]) -> None:
        """A batch stored these; its pipeline link hands them over (`flush` leaves them)."""
        self.claimed.update(r.seq for r in records)

    def release(self, records: Sequence[OutboxRecord]) -> None:
        """A claim that will not be handed over (its link failed): `flush` sends them."""
        self.claimed.difference_update(r.seq for r in records)
        self.leftovers = True

    def take_published(self) -> list[int]:
        """The confirmed records' seqs, to delete in the caller's transaction.

        The caller says `deleted(seqs)` once that transaction committed, or
        `restore(seqs)` when it did not.
        """
        seqs, self.published = self.published, []
        self.deleting.update(seqs)
        return seqs

    def deleted(self, seqs: list[int]) -> None:
        """The transaction that deleted these confirmed records committed."""
        self.deleting.difference_update(seqs)

    def restore(self, seqs: list[int]) -> None:
        """The transaction that was to delete these confirmed records did not commit."""
        self.deleting.difference_update(seqs)
        self.published.extend(seqs)

    async def forget_published(self) -> None:
        """Delete the confirmed records now, in a transaction of their own."""
        seqs = self.take_published()
        if seqs:
            try:
                await self.worker.run(self.worker.store.delete_outbox_seqs, seqs)
            except BaseException:
                self.restore(seqs)
                raise
            self.deleted(seqs)
