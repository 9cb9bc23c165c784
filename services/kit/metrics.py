"""A service's Prometheus metrics: what its consumer, outbox, store and HTTP API did.

Every service serves them at `GET /metrics` in the Prometheus text format
(`metrics_router`). The hot path stays cheap: the consumer and the outbox count per
batch (one increment per topic with the batch's count), never per record; gauges
(outbox depth, consumer lag, desk backlog) are read when a scrape asks for them.

The metrics (each service has its own registry; Prometheus adds the `service` label
from its scrape configuration):

- `portalsim_records_consumed_total{topic}`: records a handled batch held (own events
  skipped included);
- `portalsim_records_produced_total{topic}`: records the broker confirmed, dead
  letters included (`deadletter.<topic>`);
- `portalsim_records_deadlettered_total{topic,reason}`: consumed records dead-lettered;
- `portalsim_records_duplicate_total{topic}`: consumed records already handled before;
- `portalsim_signature_failures_total{topic}`: consumed records whose signature failed;
- `portalsim_batch_duration_seconds`: one consumed batch, from delivery to its outbox
  handed to the producer (histogram);
- `portalsim_store_transaction_seconds{kind}`: a store transaction, timed from outside
  (`batch`: a consumed batch's; `input`: events entering over HTTP) (histogram);
- `portalsim_outbox_depth`: records stored and not yet confirmed by the broker;
- `portalsim_consumer_lag{topic}`: records on the broker past those handled, over the
  assigned partitions (the end offset as of the consumer's last fetch);
- `portalsim_http_requests_total{route,method,status}` and
  `portalsim_http_request_duration_seconds{route,method}` (`services/kit/http_metrics.py`);
- `portalsim_dossiers_settled_total{settled_by,outcome}`: dossiers this service settled
  (from the `dossier.settled` events it published);
- `portalsim_desk_backlog`: paper dossiers waiting at the desks to be digitised (the sum
  of each desk's latest `desk.queue.changed`; one_stop only);
- the process's CPU, memory and file descriptors (`process_*`).
"""

from __future__ import annotations

import time
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from services.kit.store import OutboxRecord

__all__ = ["ServiceMetrics", "lag_by_topic", "metrics_router"]

#: Seconds: a batch or a transaction takes from under a millisecond to a few seconds.
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SETTLED = "dossier.settled"
DESK_QUEUE = "desk.queue.changed"


class _Gauges(Collector):
    """The gauges read at scrape time from the functions the kit registered."""

    def __init__(self) -> None:
        self.outbox_depth: Callable[[], int] = lambda: 0
        self.consumer_lag: Callable[[], dict[str, int]] = dict
        self.desk_queues: dict[str, int] = {}

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "portalsim_outbox_depth", "Records stored and not yet confirmed by the broker."
        )
        depth.add_metric([], self.outbox_depth())
        yield depth
        lag = GaugeMetricFamily(
            "portalsim_consumer_lag",
            "Records on the broker past those handled, over the assigned partitions.",
            labels=["topic"],
        )
        for topic, value in sorted(self.consumer_lag().items()):
            lag.add_metric([topic], value)
        yield lag
        if self.desk_queues:
            backlog = GaugeMetricFamily(
                "portalsim_desk_backlog", "Paper dossiers waiting at the desks to be digitised."
            )
            backlog.add_metric([], sum(self.desk_queues.values()))
            yield backlog


class ServiceMetrics:
    """The metrics of one service, in a registry of its own."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = registry = CollectorRegistry(auto_describe=True)
        self.consumed = Counter(
            "portalsim_records_consumed",
            "Records in the consumed batches that were handled.",
            ["topic"],
            registry=registry,
        )
        self.produced = Counter(
            "portalsim_records_produced",
            "Records published and confirmed by the broker.",
            ["topic"],
            registry=registry,
        )
        self.deadlettered = Counter(
            "portalsim_records_deadlettered",
            "Consumed records sent to their dead-letter topic.",
            ["topic", "reason"],
            registry=registry,
        )
        self.duplicates = Counter(
            "portalsim_records_duplicate",
            "Consumed records whose event had been handled before.",
            ["topic"],
            registry=registry,
        )
        self.signature_failures = Counter(
            "portalsim_signature_failures",
            "Consumed records whose signature did not verify.",
            ["topic"],
            registry=registry,
        )
        self.batch_seconds = Histogram(
            "portalsim_batch_duration_seconds",
            "One consumed batch, from delivery until its outbox is handed to the producer.",
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.store_seconds = Histogram(
            "portalsim_store_transaction_seconds",
            "A store transaction, timed from outside (batch: a consumed batch; input: HTTP).",
            ["kind"],
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.settled = Counter(
            "portalsim_dossiers_settled",
            "Dossiers this service settled, by settling portal and outcome.",
            ["settled_by", "outcome"],
            registry=registry,
        )
        self.gauges = _Gauges()
        registry.register(self.gauges)
        ProcessCollector(registry=registry)

    # -- the consumer, per batch -----------------------------------------------------
    def batch_consumed(self, topics: Iterable[str]) -> None:
        """A batch was handled: one topic name per record it held."""
        for topic, count in Tally(topics).items():
            self.consumed.labels(topic).inc(count)

    def duplicate(self, topic: str) -> None:
        """A consumed record was handled before (rare: only after a redelivery)."""
        self.duplicates.labels(topic).inc()

    def deadletter(self, topic: str, reason: str) -> None:
        """A consumed record went to its dead-letter topic."""
        self.deadlettered.labels(topic, reason).inc()

    def bad_signature(self, topic: str) -> None:
        """A consumed record's signature did not verify."""
        self.signature_failures.labels(topic).inc()

    @contextmanager
    def timed_transaction(self, kind: str) -> Iterator[None]:
        """Time the block as one store transaction of this kind."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.store_seconds.labels(kind).observe(time.perf_counter() - started)

    # -- the outbox, per confirmed publish ---------------------------------------------
    def published(self, records: Sequence[OutboxRecord]) -> None:
        """These records were confirmed by the broker."""
        counts = Tally(r.topic for r in records)
        for topic, count in counts.items():
            self.produced.labels(topic).inc(count)
        if SETTLED in counts or DESK_QUEUE in counts:
            self._dossier_states(r for r in records if r.topic in (SETTLED, DESK_QUEUE))

    def _dossier_states(self, records: Iterable[OutboxRecord]) -> None:
        settled: Tally[tuple[str, str]] = Tally()
        for record in records:
            try:
                data: dict[str, Any] = orjson.loads(record.value)["data"]
                if record.topic == SETTLED:
                    settled[(str(data["settled_by"]), str(data["outcome"]))] += 1
                else:
                    self.gauges.desk_queues[str(data["unit_code"])] = int(data["queue_length"])
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                continue  # not ours to judge: the consumers dead-letter it
        for (settled_by, outcome), count in settled.items():
            self.settled.labels(settled_by, outcome).inc(count)

    # -- reading --------------------------------------------------------------------------
    def exposition(self) -> bytes:
        """The metrics in the Prometheus text format."""
        return generate_latest(self.registry)


def lag_by_topic(consumer: Any, handled_up_to: Mapping[tuple[str, int], int]) -> dict[str, int]:
    """Per topic: records on the broker (as of the consumer's last fetch) past those handled.

    `handled_up_to` is the next offset to handle of each (topic, partition); a partition
    assigned but not yet handled since the service started is left out.
    """
    lags: Tally[str] = Tally()
    for tp in consumer.assignment() if consumer is not None else ():
        high = consumer.highwater(tp)
        done = handled_up_to.get((tp.topic, tp.partition))
        if high is not None and done is not None:
            lags[tp.topic] += max(0, high - done)
    return dict(lags)


def metrics_router(metrics: ServiceMetrics) -> APIRouter:
    """`GET /metrics`: the service's metrics in the Prometheus text format."""
    router = APIRouter(tags=["metrics"])

    @router.get(
        "/metrics",
        summary="The service's metrics (Prometheus text format)",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
    )
    async def metrics_text() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
