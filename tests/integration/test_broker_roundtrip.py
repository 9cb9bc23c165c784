"""Envelopes travel through the real broker and come back intact, with keys and headers."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from contracts.envelope import CONTENT_TYPE, parse_event
from contracts.events import DossierSubmitted
from contracts.topics import topic
from tests.factories import envelope, submission

SUBMITTED = topic("dossier.submitted")


async def _create_topic(bootstrap: str, name: str, partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        await admin.close()


async def _consume(bootstrap: str, name: str, group: str, count: int) -> list[object]:
    consumer = AIOKafkaConsumer(
        name, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest"
    )
    await consumer.start()
    received: list[object] = []
    try:
        async with asyncio.timeout(60):
            while len(received) < count:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    received.extend(records)
        await consumer.commit()
    finally:
        await consumer.stop()
    return received


async def test_envelopes_round_trip_through_a_consumer_group_with_keys_and_headers(
    kafka_bootstrap: str, unique_name: str
) -> None:
    await _create_topic(kafka_bootstrap, unique_name, partitions=3)
    events = [envelope(submission()) for _ in range(30)]
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(
                unique_name,
                event.to_bytes(),
                key=SUBMITTED.key_of(event.data),
                headers=[("content-type", CONTENT_TYPE.encode())],
            )
    finally:
        await producer.stop()

    records = await _consume(kafka_bootstrap, unique_name, f"{unique_name}-group", len(events))

    by_id = {e.id: e for e in events}
    for record in records:
        parsed = parse_event(record.value, DossierSubmitted, SUBMITTED.event_type)  # type: ignore[attr-defined]
        assert parsed == by_id[parsed.id]
        assert record.key == parsed.data.dossier_id.encode()  # type: ignore[attr-defined]
        assert ("content-type", CONTENT_TYPE.encode()) in record.headers  # type: ignore[attr-defined]
    assert len({r.partition for r in records}) > 1  # type: ignore[attr-defined]


async def test_a_second_consumer_in_the_same_group_resumes_after_committed_offsets(
    kafka_bootstrap: str, unique_name: str
) -> None:
    await _create_topic(kafka_bootstrap, unique_name, partitions=1)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        first, second = envelope(submission()), envelope(submission())
        await producer.send_and_wait(unique_name, first.to_bytes())
        assert len(await _consume(kafka_bootstrap, unique_name, unique_name, 1)) == 1
        await producer.send_and_wait(unique_name, second.to_bytes())
    finally:
        await producer.stop()

    records = await _consume(kafka_bootstrap, unique_name, unique_name, 1)

    assert [parse_event(r.value, DossierSubmitted).id for r in records] == [second.id]  # type: ignore[attr-defined]
