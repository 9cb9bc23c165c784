"""Every service's `/metrics`: the kit counts what its consumer, outbox and HTTP API did."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from aiokafka import TopicPartition

from contracts.signing import Signer, TrustStore
from contracts.topics import ServiceName
from services.kit.metrics import ServiceMetrics, lag_by_topic
from services.kit.store import OutboxRecord
from services.national_portal.app import build_runtime
from services.national_portal.settings import NationalPortalSettings
from simulator.watch.scrape import MetricsText, parse_metrics
from tests.factories import envelope, submission
from tests.service.conftest import KitHarness, KitHarnessFactory


def scraped(metrics: ServiceMetrics) -> MetricsText:
    return parse_metrics(metrics.exposition().decode())


@pytest.fixture
async def kit(kit_harness: KitHarnessFactory) -> AsyncIterator[KitHarness]:
    async with kit_harness() as harness:
        yield harness


async def test_a_handled_batch_counts_its_records_consumed_and_its_follow_ups_produced(
    kit: KitHarness,
) -> None:
    for _ in range(3):
        await kit.broker.publish(envelope(submission()).to_bytes(), "dossier.submitted")
    metrics = scraped(kit.messaging.metrics)
    assert metrics.total("portalsim_records_consumed_total", topic="dossier.submitted") == 3
    assert metrics.total("portalsim_records_produced_total", topic="dossier.status.changed") == 3
    assert metrics.total("portalsim_batch_duration_seconds_count") == 3
    assert metrics.total("portalsim_store_transaction_seconds_count", kind="batch") == 3
    assert metrics.total("portalsim_outbox_depth") == 0


async def test_dead_letters_and_duplicates_are_counted_by_topic_and_reason(
    kit: KitHarness,
) -> None:
    event = envelope(submission())
    await kit.broker.publish(event.to_bytes(), "dossier.submitted")
    await kit.broker.publish(event.to_bytes(), "dossier.submitted")
    await kit.broker.publish(b"\x00not json", "dossier.submitted")
    metrics = scraped(kit.messaging.metrics)
    assert metrics.total("portalsim_records_duplicate_total", topic="dossier.submitted") == 1
    dead = metrics.by_label("portalsim_records_deadlettered_total", "reason")
    assert dead == {"not_json": 1}
    assert metrics.total("portalsim_records_produced_total", topic="deadletter.dossier.submitted")
    assert metrics.total("portalsim_records_consumed_total") == 3


async def test_an_event_with_a_forged_signature_counts_as_a_signature_failure(
    kit_harness: KitHarnessFactory, signers: dict[str, Signer], trust: TrustStore
) -> None:
    async with kit_harness(signers["city_portal"], trust) as harness:
        forged = signers["population_db"].sign(
            envelope(submission()).model_dump(mode="json", exclude_none=False)
        )  # population_db may not produce dossier.submitted
        await harness.broker.publish(orjson.dumps(forged), "dossier.submitted")
        await harness.broker.publish(envelope(submission()).to_bytes(), "dossier.submitted")
        metrics = scraped(harness.messaging.metrics)
    assert metrics.total("portalsim_signature_failures_total", topic="dossier.submitted") == 2
    assert metrics.by_label("portalsim_records_deadlettered_total", "reason") == {"signature": 2}


def _settled(settled_by: str, outcome: str) -> OutboxRecord:
    data = {"settled_by": settled_by, "outcome": outcome, "dossier_id": "d"}
    return OutboxRecord("dossier.settled", b"d", orjson.dumps({"id": "e", "data": data}))


def _queue(unit: str, length: int) -> OutboxRecord:
    data = {"unit_code": unit, "queue_length": length}
    return OutboxRecord("desk.queue.changed", unit.encode(), orjson.dumps({"data": data}))


def test_published_settlements_count_dossiers_by_portal_and_outcome() -> None:
    metrics = ServiceMetrics("national_portal")
    metrics.published([_settled("ministry.justice", "approved")] * 2)
    metrics.published([_settled("ministry.justice", "rejected"), _settled("tax", "approved")])
    text = scraped(metrics)
    assert text.total("portalsim_dossiers_settled_total", settled_by="ministry.justice") == 3
    assert text.total("portalsim_dossiers_settled_total", outcome="approved") == 3
    assert text.total("portalsim_records_produced_total", topic="dossier.settled") == 4


def test_the_desk_backlog_is_the_sum_of_each_desks_latest_queue_length() -> None:
    metrics = ServiceMetrics("one_stop")
    assert scraped(metrics).total("portalsim_desk_backlog") == 0
    metrics.published([_queue("00101", 3), _queue("00102", 5), _queue("00101", 1)])
    assert scraped(metrics).total("portalsim_desk_backlog") == 6


class _Consumer:
    def __init__(self, highwater: dict[TopicPartition, int | None]) -> None:
        self.highwater_of = highwater

    def assignment(self) -> set[TopicPartition]:
        return set(self.highwater_of)

    def highwater(self, tp: TopicPartition) -> int | None:
        return self.highwater_of[tp]


def test_consumer_lag_is_the_end_offset_past_the_handled_records_per_topic() -> None:
    consumer = _Consumer(
        {
            TopicPartition("dossier.settled", 0): 100,
            TopicPartition("dossier.settled", 1): 40,
            TopicPartition("dossier.routed", 0): 7,
            TopicPartition("dossier.routed", 1): None,  # nothing fetched yet
            TopicPartition("dossier.routed", 2): 9,  # nothing handled yet
        }
    )
    handled = {("dossier.settled", 0): 90, ("dossier.settled", 1): 40, ("dossier.routed", 0): 2}
    assert lag_by_topic(consumer, handled) == {"dossier.settled": 10, "dossier.routed": 5}
    assert lag_by_topic(None, handled) == {}


@pytest.fixture
async def national_http(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    runtime = build_runtime(NationalPortalSettings(data_dir=tmp_path))
    transport = httpx.ASGITransport(app=runtime.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client, runtime
    runtime.messaging.worker.close()


async def test_every_service_serves_its_metrics_in_the_prometheus_text_format(
    national_http: tuple[httpx.AsyncClient, Any],
) -> None:
    client, runtime = national_http
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    metrics = parse_metrics(response.text)
    assert "portalsim_outbox_depth" in {name for name, _ in metrics.samples}
    assert runtime.service == ServiceName.NATIONAL_PORTAL


async def test_http_requests_are_counted_by_route_template_and_status(
    national_http: tuple[httpx.AsyncClient, Any],
) -> None:
    client, _ = national_http
    for dossier in ("a", "b"):
        assert (await client.get(f"/dossiers/{dossier}")).status_code == 404
    assert (await client.get("/no/such/route")).status_code == 404
    metrics = parse_metrics((await client.get("/metrics")).text)
    requests = "portalsim_http_requests_total"
    assert metrics.total(requests, route="/dossiers/{dossier_id}", status="404") == 2
    assert metrics.total(requests, route="<unmatched>", status="404") == 1
    durations = "portalsim_http_request_duration_seconds_count"
    assert metrics.total(durations, route="/dossiers/{dossier_id}", method="GET") == 2
