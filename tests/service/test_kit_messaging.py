"""The kit's consumer on FastStream's in-memory broker: handle, deduplicate, dead-letter."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.topics import topic
from tests.factories import envelope, submission
from tests.service.conftest import KitHarnessFactory


@pytest.fixture
async def harness(kit_harness: KitHarnessFactory) -> Any:
    async with kit_harness() as kit:
        yield kit.broker, kit.handled, kit.published


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
