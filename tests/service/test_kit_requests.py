"""HTTP use cases through the kit (`messaging.requests.run`): their events are published,
from memory, before the request returns."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from services.kit import ServiceMessaging, ServiceStore
from services.kit.outbox_table import OutboxRecord
from tests.service.conftest import KitHarness, KitHarnessFactory

TOPIC = "dossier.status.changed"  # one the harness records


class RefusedError(Exception):
    """A use case's refusal (raised inside its transaction)."""


def _record(n: int) -> OutboxRecord:
    return OutboxRecord(TOPIC, f"key-{n}".encode(), b'{"n": %d}' % n)


def store_one(store: ServiceStore, n: int) -> int:
    """A use case storing one event."""
    with store.transaction():
        store.add_outbox([_record(n)])
    return n


def store_one_then_refuse(store: ServiceStore, n: int) -> int:
    """A use case refusing after it stored an event: its transaction rolls back."""
    with store.transaction():
        store.add_outbox([_record(n)])
        raise RefusedError(f"request {n} refused")


def store_nothing(store: ServiceStore) -> None:
    """A use case finding its request done already (a repeat)."""


@pytest.fixture
async def kit(kit_harness: KitHarnessFactory) -> Any:
    async with kit_harness() as harness:
        yield harness


def _values(kit: KitHarness) -> list[bytes]:
    return [r.value for r in kit.published]


def _reads_of_the_outbox(messaging: ServiceMessaging, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    reads: list[int] = []
    store = messaging.store
    original = store.pending_outbox

    def counted(limit: int = 5000) -> list[OutboxRecord]:
        reads.append(limit)
        return original(limit)

    monkeypatch.setattr(store, "pending_outbox", counted)
    return reads


async def test_a_requests_event_is_published_before_it_returns(kit: KitHarness) -> None:
    messaging = kit.messaging
    assert await messaging.requests.run(store_one, messaging.store, 1) == 1
    assert _values(kit) == [b'{"n": 1}']
    assert messaging.store.pending_outbox() == []


async def test_a_requests_events_are_not_read_back_from_the_store(
    kit: KitHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    messaging = kit.messaging
    messaging.outbox.leftovers = False  # started: nothing left over
    reads = _reads_of_the_outbox(messaging, monkeypatch)
    await messaging.requests.run(store_one, messaging.store, 1)
    assert reads == []
    assert len(kit.published) == 1


async def test_a_refused_request_publishes_nothing(kit: KitHarness) -> None:
    messaging = kit.messaging
    with pytest.raises(RefusedError):
        await messaging.requests.run(store_one_then_refuse, messaging.store, 1)
    await messaging.requests.run(store_nothing, messaging.store)
    assert kit.published == []
    assert messaging.store.pending_outbox() == []


async def test_a_request_after_a_failed_publish_sends_what_the_failure_left(
    kit: KitHarness,
) -> None:
    messaging = kit.messaging
    store_one(messaging.store, 1)  # stored by a request whose publish failed
    messaging.outbox.leftovers = True
    await messaging.requests.run(store_nothing, messaging.store)  # its repeat
    assert _values(kit) == [b'{"n": 1}']
    assert messaging.outbox.leftovers is False


async def test_many_requests_at_once_each_get_their_event_published(kit: KitHarness) -> None:
    messaging = kit.messaging
    await asyncio.gather(
        *(messaging.requests.run(store_one, messaging.store, n) for n in range(50))
    )
    assert sorted(_values(kit)) == sorted(b'{"n": %d}' % n for n in range(50))
    assert messaging.store.pending_outbox() == []
