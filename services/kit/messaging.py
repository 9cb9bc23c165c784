"""A service's Kafka side: one batch consumer for its topics, its retries, the outbox.

Per batch, on the store worker and in one transaction (`batch_transaction.py`): each
record is parsed and validated against its topic's payload (invalid: dead letter, at
once), skipped when its event id was handled before (idempotency), else handed to its
handler; the handler's effects, the event id and its follow-up events are stored
together; a store that is busy or unreachable gets the batch again after a back-off.
Then the outbox is handed to the producer and the kit's pipeline (`pipeline.py`)
commits the offsets once every confirm is in, while the next batch is handled. If
anything fails the batch is not committed but sought back and handled again; already
handled events are skipped by id and stored follow-ups are republished with their ids,
so a crash anywhere replays the batch without doing anything twice.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import structlog
from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker
from faststream.kafka.message import FAKE_CONSUMER, KafkaAckableMessage, KafkaMessage
from faststream.middlewares import AckPolicy

from contracts.signing import Signer, TrustStore
from contracts.topics import ServiceName, topic
from services.kit.batch_transaction import BatchTransaction, Handler
from services.kit.consumption import ConsumptionGate
from services.kit.emitter import EventFactory
from services.kit.handler_signals import RejectEvent, TransientStoreError
from services.kit.intake import RecordReader
from services.kit.metrics import ServiceMetrics, lag_by_topic
from services.kit.outbox import OutboxPublisher
from services.kit.pipeline import BatchPipeline, first_offsets
from services.kit.request_publishing import RequestRunner
from services.kit.store import OutboxRecord, ServiceStore, StoreWorker
from services.kit.tracing import Tracing

__all__ = ["Handler", "RejectEvent", "ServiceMessaging"]

log = structlog.get_logger("portalsim.kit.messaging")


async def _batch_message(raw: Any) -> KafkaMessage:
    """The batch as FastStream's message, without decoding every record's headers."""
    records = raw if isinstance(raw, tuple | list) else (raw,)
    first, last = records[0], records[-1]
    return KafkaAckableMessage(
        raw_message=tuple(records),
        body=(),
        message_id=f"{first.offset}-{last.offset}-{first.timestamp}",
        correlation_id="-",
        consumer=FAKE_CONSUMER,
    )


async def _raw_records(msg: Any) -> list[ConsumerRecord[bytes, bytes]]:
    raw = msg.raw_message
    return list(raw) if isinstance(raw, tuple | list) else [raw]


class ServiceMessaging:
    """Handlers by topic, the batch subscriber, and the outbox publisher of one service."""

    def __init__(
        self,
        broker: KafkaBroker,
        service: ServiceName,
        worker: StoreWorker,
        *,
        max_records: int = 500,
        max_event_bytes: int = 256 * 1024,
        retry_attempts: int = 5,
        retry_base_delay: float = 0.05,
        batch_timeout_ms: int = 5,
        consumer_config: dict[str, Any] | None = None,
        signer: Signer | None = None,
        trust: TrustStore | None = None,
        metrics: ServiceMetrics | None = None,
        tracing: Tracing | None = None,
    ) -> None:
        self.broker = broker
        self.tracing = tracing or Tracing(str(service))
        self.service = service
        self.worker = worker
        self.factory = EventFactory(service, signer)
        self.max_records = max_records
        self.max_event_bytes = max_event_bytes
        self.retry_attempts = retry_attempts
        self.retry_base_delay = retry_base_delay
        self.handlers: dict[str, Handler] = {}
        self.metrics = metrics or ServiceMetrics(str(service))
        self.outbox = OutboxPublisher(broker, worker, self.metrics)
        self.requests = RequestRunner(worker, self.outbox)  # HTTP use cases
        self.pipeline = BatchPipeline(self.outbox, self._consumer)
        self.batch_timeout_ms = batch_timeout_ms
        self.consumer_config = dict(consumer_config or {})
        self.stopping = False
        self._subscriber: Any = None
        self.gate = ConsumptionGate()  # paused by the operations API (outage fault)
        self.stats: Counter[str] = Counter(handled=0, duplicates=0, deadletters=0)
        self.reader = RecordReader(
            str(service), self.factory.source, max_event_bytes, self.stats, trust, self.metrics
        )
        self.handled_up_to: dict[tuple[str, int], int] = {}  # next offset, per partition
        self.transaction = BatchTransaction(
            service,
            worker,
            self.reader,
            self.factory,
            self.handlers,
            self.stats,
            self.metrics,
            self.tracing,
        )
        gauges = self.metrics.gauges
        gauges.outbox_depth = lambda: self.outbox.depth
        gauges.consumer_lag = lambda: lag_by_topic(self._consumer(), self.handled_up_to)

    @property
    def store(self) -> ServiceStore:
        """The service's store (use only on the store worker)."""
        return self.worker.store

    def on(self, topic_name: str) -> Callable[[Handler], Handler]:
        """Register the handler of a topic (runs on the store worker, inside the batch)."""
        registered = topic(topic_name)
        if self.service not in registered.consumers:
            raise ValueError(f"{self.service} is not a registered consumer of {topic_name}")

        def register(handler: Handler) -> Handler:
            self.handlers[topic_name] = handler
            return handler

        return register

    def skip_own(self, topic_name: str) -> None:
        """Leave this service's own events on a topic it consumes unparsed and unhandled.

        For a service that records what its own events mean when it publishes them (in
        the same transaction): consuming them again would only repeat that. Recognised
        by the envelope's `source` as the kit writes it.
        """
        self.reader.skip_own(topic_name)

    def subscribe(self) -> None:
        """Create the FastStream batch subscriber for every registered topic.

        Offsets are committed by the kit's pipeline (AckPolicy.MANUAL), never by FastStream.
        """
        subscriber = self.broker.subscriber(
            *self.handlers,
            group_id=str(self.service),
            batch=True,
            max_records=self.max_records,
            batch_timeout_ms=self.batch_timeout_ms,
            auto_offset_reset="earliest",
            parser=_batch_message,
            decoder=_raw_records,
            ack_policy=AckPolicy.MANUAL,
            title=f"{self.service}.consumer",
            **self.consumer_config,
        )
        subscriber(self.on_records)
        self._subscriber = subscriber

    def _consumer(self) -> Any:
        """The subscriber's aiokafka consumer (None on FastStream's in-memory broker)."""
        return getattr(self._subscriber, "consumer", None) if self._subscriber else None

    async def on_records(self, records: Any) -> None:
        """Handle one batch: store it, hand its outbox over, let the pipeline commit it."""
        await self.gate.passed(records)
        started = time.perf_counter()
        if await self.pipeline.recover(records):
            return  # an earlier batch failed to publish or commit: all comes again
        if self.outbox.leftovers:  # what an earlier failure left in the store goes first
            await self.pipeline.drain()
            await self.outbox.flush()
        try:
            stored = await self._store_batch(records)
        except BaseException:
            self.pipeline.seek(first_offsets(records))  # handled again later (nack)
            raise
        if self._consumer() is None:  # FastStream's in-memory broker: publish in step
            await self.outbox.publish(stored)
        else:
            await self.pipeline.submit(records, stored)
        self.metrics.batch_seconds.observe(time.perf_counter() - started)
        if self.stopping:  # at shutdown nothing is left in flight
            await self.pipeline.drain()

    async def _store_batch(self, records: list[ConsumerRecord[bytes, bytes]]) -> list[OutboxRecord]:
        for attempt in range(self.retry_attempts):
            published = self.outbox.take_published()  # deleted in the batch's transaction
            try:
                stored = await self.worker.run(self.transaction.process, records, published)
            except BaseException as exc:
                self.outbox.restore(published)  # not deleted: the next one will
                if not isinstance(exc, TransientStoreError):
                    raise
                delay = self.retry_base_delay * 2**attempt
                log.warning(
                    "store busy or unreachable, retrying batch", attempt=attempt, error=str(exc)
                )
                await asyncio.sleep(delay)
                continue
            self.outbox.deleted(published)
            self.outbox.claim(stored)
            self.metrics.batch_consumed(r.topic for r in records)
            self.handled_up_to.update({(r.topic, r.partition): r.offset + 1 for r in records})
            return stored
        raise TransientStoreError("store still busy after retries; batch left for redelivery")

    async def drain(self) -> None:
        """Stop pipelining and wait until every handled batch is published and committed."""
        self.stopping = True
        self.gate.resume()  # a paused service stops too: its waiting batch is handled
        await self.pipeline.drain()

    async def publish_input(self, records: Sequence[OutboxRecord]) -> None:
        """Store events that entered from outside (HTTP) and publish them."""

        def store_records() -> None:
            with self.metrics.timed_transaction("input"), self.store.transaction():
                self.store.add_outbox(records)

        await self.requests.run(store_records)  # published as an HTTP request's events are

    async def flush_outbox(self) -> int:
        """Publish every stored, unpublished record; await every confirm; forget them."""
        return await self.outbox.flush()
