"""The kit's consumer on FastStream's in-memory broker: handle, deduplicate, dead-letter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker

from contracts.envelope import CloudEvent
from contracts.events import DossierStatus, DossierStatusChanged
from contracts.topics import ServiceName, topic
from services.kit import HandlerContext, ServiceMessaging, ServiceStore, StoreWorker
from tests.factories import envelope, submission


async def _raw(msg: Any) -> Any:
    return msg.raw_message


@pytest.fixture
async def harness(tmp_path: Path) -> Any:
    broker = KafkaBroker("127.0.0.1:9")
    worker = StoreWorker(ServiceStore(tmp_path / "kit.sqlite"))
    messaging = ServiceMessaging(broker, ServiceName.CITY_PORTAL, worker)
    handled: list[str] = []

    @messaging.on("dossier.submitted")
    def on_submitted(event: CloudEvent[Any], ctx: HandlerContext) -> None:
        handled.append(event.id)
        ctx.emit(
            "dossier.status.changed",
            DossierStatusChanged(
                dossier_id=event.data.dossier_id,
                dossier_code=event.data.dossier_code,
                procedure_code=event.data.procedure_code,
                status=DossierStatus.RECEIVED,
                by="city_portal",
            ),
        )

    messaging.subscribe()
    published: list[Any] = []

    @broker.subscriber("dossier.status.changed", "deadletter.dossier.submitted", decoder=_raw)
    async def record(body: Any) -> None:
        published.append(body)

    async with TestKafkaBroker(broker) as test_broker:
        yield test_broker, handled, published
    worker.close()


async def test_a_valid_event_is_handled_and_its_follow_up_published(harness: Any) -> None:
    broker, handled, published = harness
    event = envelope(submission())
    await broker.publish(event.to_bytes(), "dossier.submitted")
    assert handled == [event.id]
    assert [r.topic for r in published] == ["dossier.status.changed"]


async def test_a_duplicated_event_is_handled_once(harness: Any) -> None:
    broker, handled, published = harness
    event = envelope(submission())
    await broker.publish(event.to_bytes(), "dossier.submitted")
    await broker.publish(event.to_bytes(), "dossier.submitted")
    assert handled == [event.id]
    assert len(published) == 1


async def test_a_value_that_is_not_json_goes_to_the_deadletter_topic(harness: Any) -> None:
    broker, handled, published = harness
    await broker.publish(b"\x00not json", "dossier.submitted", key=b"k1")
    assert handled == []
    [dead] = published
    assert dead.topic == topic("dossier.submitted").deadletter
    assert dead.value == b"\x00not json"
    assert dead.key == b"k1"
    assert dict(dead.headers)["deadletter.reason"] == b"not_json"
