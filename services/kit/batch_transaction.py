"""One consumed batch handled in one store transaction, on the store worker.

Each record is read against its topic's payload (invalid: its dead letter, at once),
skipped when its event id was handled before (idempotency), else handed to its handler
in a savepoint and, when traced, a span of its own (`tracing.py`); a handler that
rejects the event or fails gets the event dead-lettered and its effects rolled back.
The handlers' follow-up events are signed, and the handled event ids and every outgoing
record are stored with the handlers' effects in the same transaction. A store error
that may pass rolls everything back as `TransientStoreError`: the batch is tried again
(`messaging.py`).
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import structlog
from aiokafka import ConsumerRecord

from contracts.envelope import CloudEvent
from contracts.topics import ServiceName
from services.kit.emitter import EventFactory, HandlerContext
from services.kit.handler_signals import RejectEvent, TransientStoreError
from services.kit.intake import RecordReader
from services.kit.metrics import ServiceMetrics
from services.kit.store import OutboxRecord, ServiceStore, StoreWorker
from services.kit.tracing import Tracing

__all__ = ["BatchTransaction", "Handler"]

Handler = Callable[[CloudEvent[Any], HandlerContext], None]
log = structlog.get_logger("portalsim.kit.messaging")


class BatchTransaction:
    """The handling of one batch in the service's store; run it on the store worker.

    `handlers` and `stats` are the consumer's own (shared, not copied): a handler
    registered later is found, and the counts are the consumer's.
    """

    def __init__(
        self,
        service: ServiceName,
        worker: StoreWorker,
        reader: RecordReader,
        factory: EventFactory,
        handlers: dict[str, Handler],
        stats: Counter[str],
        metrics: ServiceMetrics,
        tracing: Tracing,
    ) -> None:
        self.service = service
        self.worker = worker
        self.reader = reader
        self.factory = factory
        self.handlers = handlers
        self.stats = stats
        self.metrics = metrics
        self.tracing = tracing

    @property
    def store(self) -> ServiceStore:
        """The service's store (use only on the store worker)."""
        return self.worker.store

    def process(
        self, records: list[ConsumerRecord[bytes, bytes]], published: Sequence[int] = ()
    ) -> list[OutboxRecord]:
        """Handle and store the batch; forget the outbox records `published` meanwhile."""
        store = self.store
        started = time.perf_counter()
        try:
            store.begin()
            store.delete_outbox_seqs(published)
            read = [(record, self.reader.read(record)) for record in records]
            parsed = [(record, event) for record, event in read if event is not None]
            seen = store.processed_among([e.id for _, e in parsed if isinstance(e, CloudEvent)])
            outgoing: list[OutboxRecord] = []
            emitted: list[int] = []  # where the handlers' follow-ups are in `outgoing`
            handled: list[tuple[str, str]] = []
            for record, event in parsed:
                if isinstance(event, OutboxRecord):  # a dead letter already
                    outgoing.append(event)
                elif event.id in seen:
                    self.stats["duplicates"] += 1
                    self.metrics.duplicate(record.topic)
                else:
                    seen.add(event.id)
                    follow_ups, deadlettered = self._handle(record, event, handled)
                    if not deadlettered:
                        emitted.extend(range(len(outgoing), len(outgoing) + len(follow_ups)))
                    outgoing.extend(follow_ups)
            signed = self.factory.sign_all([outgoing[i] for i in emitted])
            for position, record_signed in zip(emitted, signed, strict=True):
                outgoing[position] = record_signed
            if store.mark_processed_many(handled) < len(handled):
                # another replica handled some of them meanwhile (a rebalance): undo, and
                # the retry skips them as handled
                raise TransientStoreError("events handled by another replica meanwhile")
            stored = store.add_outbox(outgoing)
            store.commit()
            self.metrics.store_seconds.labels("batch").observe(time.perf_counter() - started)
        except TransientStoreError:
            store.rollback()
            raise
        except BaseException as exc:
            store.rollback()
            if store.is_transient(exc):
                raise TransientStoreError(str(exc)) from exc
            raise
        return stored

    def _handle(
        self,
        record: ConsumerRecord[bytes, bytes],
        event: CloudEvent[Any],
        handled: list[tuple[str, str]],
    ) -> tuple[list[OutboxRecord], bool]:
        """The event's follow-ups (unsigned), or its dead letter; True when dead-lettered.

        A traced event's handler runs in a span of its own (`tracing.py`).
        """
        span = self.tracing.handling(str(self.service), record.topic, event)
        outcome = "failed"
        try:
            follow_ups, deadlettered = self._run_handler(record, event, handled, span.traceparent)
            outcome = "deadlettered" if deadlettered else "handled"
        finally:
            span.end(outcome)
        return follow_ups, deadlettered

    def _run_handler(
        self,
        record: ConsumerRecord[bytes, bytes],
        event: CloudEvent[Any],
        handled: list[tuple[str, str]],
        traceparent: str | None,
    ) -> tuple[list[OutboxRecord], bool]:
        log.debug("handling event", topic=record.topic, event_id=event.id, data=event.data)
        context = HandlerContext(self.factory, event, traceparent=traceparent)
        self.store.savepoint()
        try:
            self.handlers[record.topic](event, context)
        except RejectEvent as exc:
            self.store.rollback_to_savepoint()
            return [self.reader.deadletter(record, exc.reason, exc.detail)], True
        except Exception as exc:
            if self.store.is_transient(exc):
                raise  # the store, not the event: the whole batch is tried again
            self.store.rollback_to_savepoint()
            detail = "".join(traceback.format_exception_only(exc)).strip()
            log.error("handler failed", topic=record.topic, event_id=event.id, error=detail)
            return [self.reader.deadletter(record, "handler_error", detail)], True
        self.store.release()
        handled.append((event.id, record.topic))
        self.stats["handled"] += 1
        return context.outgoing, False
