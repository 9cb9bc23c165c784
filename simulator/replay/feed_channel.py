"""The Kafka side of feeding one service: publishing recorded records as they were, and
asking how far the service's consumer group has committed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts.topics import all_topic_names
from services.kit.kafka_access import simulator_access
from services.kit.topics_admin import topic_partitions
from simulator.eventlog.format import LogRecord

__all__ = ["FeedChannel"]


class FeedChannel:
    """A producer, an admin client and an offsets reader on one broker, for one group."""

    def __init__(self, bootstrap: str, group: str) -> None:
        self.bootstrap = bootstrap
        self.group = group
        #: for each partition fed: the offset after the last record fed to it
        self.fed_to: dict[TopicPartition, int] = {}
        options = simulator_access(bootstrap).aiokafka_options()
        self._producer = AIOKafkaProducer(**options, acks="all", linger_ms=1)
        self._admin = AIOKafkaAdminClient(**options, client_id="portalsim-feeder")
        self._ends = AIOKafkaConsumer(**options, client_id="portalsim-feeder")
        self._partitions: list[TopicPartition] = []

    async def start(self) -> None:
        """Connect, and learn the partitions of every topic."""
        await self._producer.start()
        await self._admin.start()
        await self._ends.start()
        known = await topic_partitions(self.bootstrap, all_topic_names())
        self._partitions = [TopicPartition(t, p) for t, nums in known.items() for p in nums]

    async def stop(self) -> None:
        """Disconnect."""
        await self._producer.stop()
        with contextlib.suppress(Exception):
            await self._admin.close()
        await self._ends.stop()

    async def send(self, records: Sequence[LogRecord]) -> None:
        """Publish the records as recorded (topic, partition, key, headers, value), in order;
        return once every one is acknowledged."""
        sends = [
            await self._producer.send(
                record.topic,
                record.value_bytes(),
                key=record.key.encode() if record.key is not None else None,
                partition=record.partition,
                headers=[(k, v.encode()) for k, v in record.headers],
            )
            for record in records
        ]
        for sent in await asyncio.gather(*sends):
            where = TopicPartition(sent.topic, sent.partition)
            self.fed_to[where] = max(self.fed_to.get(where, 0), sent.offset + 1)

    async def behind(self) -> dict[TopicPartition, tuple[int | None, int]]:
        """The partitions fed whose records the group has not all committed: (committed, fed)."""
        committed = await self._admin.list_consumer_group_offsets(
            self.group, partitions=list(self.fed_to)
        )
        late: dict[TopicPartition, tuple[int | None, int]] = {}
        for partition, end in self.fed_to.items():
            done = committed.get(partition)
            at = done.offset if done is not None and done.offset >= 0 else None
            if at is None or at < end:
                late[partition] = (at, end)
        return late

    async def end_offsets(self) -> dict[TopicPartition, int]:
        """Every partition's end offset now (by a client that is not long-polling a fetch)."""
        return dict(await self._ends.end_offsets(self._partitions))
