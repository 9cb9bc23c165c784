"""Reading a whole topic from its beginning (for checks after the fact)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.kit.kafka_access import KafkaAccess, simulator_access
from services.kit.store import OutboxRecord
from services.kit.topics_admin import topic_partitions


async def read_topic(
    bootstrap: str | KafkaAccess,
    topic_name: str,
    keep: Callable[[Any], bool] = lambda record: True,
) -> list[Any]:
    """Every record of the topic up to its current end that `keep` accepts."""
    options = simulator_access(bootstrap).aiokafka_options()
    consumer = AIOKafkaConsumer(**options, enable_auto_commit=False)
    await consumer.start()
    try:
        numbers = (await topic_partitions(bootstrap, [topic_name])).get(topic_name, [])
        partitions = [TopicPartition(topic_name, n) for n in numbers]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found = []
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found += [r for r in records if keep(r)]
        return found
    finally:
        await consumer.stop()


def about(dossier_ids: set[str]) -> Callable[[Any], bool]:
    """Keep records whose payload's dossier_id is one of these."""

    def keep(record: Any) -> bool:
        try:
            return bool(orjson.loads(record.value)["data"]["dossier_id"] in dossier_ids)
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return False

    return keep


def as_outbox(record: Any) -> OutboxRecord:
    """A consumed record, ready to be published again byte for byte."""
    headers = tuple((k, v.decode()) for k, v in record.headers or ())
    return OutboxRecord(topic=record.topic, key=record.key, value=record.value, headers=headers)
