"""After the e2e runs (this module is named to run last): nothing lost, nothing settled twice.

Reads every `dossier.submitted` and `dossier.settled` from the beginning of the topics.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.kit.topics_admin import topic_partitions


async def _read_all(bootstrap: str, topic: str) -> list[dict[str, object]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        numbers = (await topic_partitions(bootstrap, [topic]))[topic]
        partitions = [TopicPartition(topic, p) for p in numbers]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        events: list[dict[str, object]] = []
        async with asyncio.timeout(60):
            while [p for p in partitions if await consumer.position(p) < ends[p]]:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    events.extend(orjson.loads(r.value) for r in records)
        return events
    finally:
        await consumer.stop()


async def test_every_submitted_dossier_has_exactly_one_settlement(kafka_bootstrap: str) -> None:
    submissions = await _read_all(kafka_bootstrap, "dossier.submitted")
    submitted = {e["data"]["dossier_id"] for e in submissions}  # type: ignore[index]
    settlements: dict[str, set[str]] = defaultdict(set)
    for event in await _read_all(kafka_bootstrap, "dossier.settled"):
        settlements[event["data"]["dossier_id"]].add(str(event["id"]))  # type: ignore[index]
    assert submitted, "the e2e tests submitted nothing"
    assert not [d for d in submitted if d not in settlements], "lost dossiers"
    assert not {d: ids for d, ids in settlements.items() if len(ids) > 1}, "settled twice"
