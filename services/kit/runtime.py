"""Running one service: its FastStream broker, its HTTP API, graceful stop on SIGTERM.

`ServiceRuntime` is what each service's `app.py` builds; `run_service` is what its
`__main__.py` calls. The broker connection is retried with backoff, so a service
may start before Kafka; on SIGTERM or SIGINT the HTTP server stops taking
requests, the consumer stops fetching, the batch in flight finishes and commits,
the outbox is flushed, and the store closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
import uvicorn
from aiokafka.errors import KafkaConnectionError, KafkaError
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from contracts.topics import ServiceName
from services.kit.allowed_methods import AllowEveryMethod
from services.kit.http_metrics import HttpMetrics
from services.kit.http_tracing import HttpTracing
from services.kit.masking import http_models, register_personal_models
from services.kit.messaging import ServiceMessaging
from services.kit.metrics import ServiceMetrics, metrics_router
from services.kit.settings import ServiceSettings
from services.kit.signing import keys_from_settings
from services.kit.store import ServiceStore, StoreWorker
from services.kit.topics_admin import ensure_topics
from services.kit.tracing_export import tracing_for

__all__ = ["ServiceRuntime", "make_broker", "run_service"]

log = structlog.get_logger("portalsim.kit.runtime")


#: The outbox's producer: every record acknowledged by all in-sync replicas (at least
#: `min.insync.replicas` of them), idempotent (a batch resent after a lost answer or a
#: leader's change is written once, in order). The outbox builds its own record batches
#: (up to 256 KiB per partition, in order), so nothing lingers.
OUTBOX_PRODUCER: dict[str, Any] = {
    "acks": "all",
    "enable_idempotence": True,
    "linger_ms": 0,
    "max_batch_size": 256 * 1024,
}


def make_broker(settings: ServiceSettings, service: ServiceName) -> KafkaBroker:
    """A FastStream Kafka broker with no per-message INFO logging, acks from all in-sync
    replicas and idempotent sends."""
    access = settings.kafka_access()
    return KafkaBroker(
        access.servers,  # FastStream takes one string as one server: a cluster's are a list
        security=access.faststream_security(),
        # FastStream would create the subscribed topics itself; the kit does (or, on a
        # secure broker where only the admin may, nobody does).
        allow_auto_create_topics=settings.create_topics,
        client_id=f"portalsim-{service}",
        acks="all",
        enable_idempotence=True,
        linger_ms=2,
        graceful_timeout=30.0,
        log_level=logging.DEBUG,
        logger=logging.getLogger("faststream.broker"),  # ours: masked, WARNING and above
        description=f"portalsim {service}",
    )


@dataclass
class ServiceRuntime:
    """Everything one running service consists of."""

    service: ServiceName
    settings: ServiceSettings
    store: ServiceStore
    broker: KafkaBroker
    messaging: ServiceMessaging
    http: FastAPI
    on_start: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def build(
        cls, service: ServiceName, settings: ServiceSettings, store: ServiceStore, http: FastAPI
    ) -> ServiceRuntime:
        """Wire store, broker and messaging together (handlers are registered afterwards).

        The HTTP API gets `GET /metrics` and its requests are counted and timed; traced
        requests and events get spans (`tracing.py`, to `settings.trace_dir` or OTLP).
        """
        broker = make_broker(settings, service)
        worker = StoreWorker(store, thread=settings.store_thread)
        signer, trust = keys_from_settings(settings, service)
        metrics = ServiceMetrics(str(service))
        tracing = tracing_for(str(service), settings.trace_dir, settings.replica or None)
        messaging = ServiceMessaging(
            broker,
            service,
            worker,
            max_records=settings.batch_max_records,
            signer=signer,
            trust=trust,
            metrics=metrics,
            tracing=tracing,
        )
        http.add_middleware(HttpMetrics, registry=metrics.registry)
        http.add_middleware(HttpTracing, tracing=tracing)  # outermost: its context reaches in
        http.include_router(metrics_router(metrics))
        http.add_middleware(AllowEveryMethod, api=http)
        return cls(service, settings, store, broker, messaging, http)

    async def start_messaging(self, attempts: int = 60) -> None:
        """Run the start hooks, create topics, connect (retrying), flush the outbox, consume."""
        if self.settings.create_topics:
            await ensure_topics(self.settings.kafka_access())
        for hook in self.on_start:
            await hook()
        self.messaging.subscribe()
        for attempt in range(attempts):
            try:
                if self.messaging.outbox.producer is None:
                    await self.messaging.outbox.start_producer(
                        self.settings.kafka_access(),
                        f"portalsim-{self.service}-outbox",
                        **OUTBOX_PRODUCER,
                    )
                await self.broker.start()
                break
            except (KafkaConnectionError, KafkaError, OSError) as exc:
                delay = min(0.2 * 2**attempt, 5.0)
                log.warning("broker unreachable, retrying", error=str(exc), delay=delay)
                with contextlib.suppress(Exception):
                    await self.broker.stop()
                await asyncio.sleep(delay)
        else:
            raise RuntimeError(f"Kafka at {self.settings.kafka_bootstrap} unreachable")
        await self.messaging.flush_outbox()
        self.ready.set()

    async def stop_messaging(self) -> None:
        """Stop consuming (the batch in flight finishes and commits), flush, close."""
        self.ready.clear()
        with contextlib.suppress(Exception):
            await self.messaging.drain()
            await self.messaging.flush_outbox()
        await self.broker.stop()
        with contextlib.suppress(Exception):
            await self.messaging.flush_outbox()
        await self.messaging.outbox.stop_producer()
        self.messaging.worker.close()
        self.messaging.tracing.shutdown()


async def run_service(runtime: ServiceRuntime) -> None:
    """Serve the HTTP API and the consumer until SIGTERM or SIGINT."""
    settings = runtime.settings
    register_personal_models(http_models(runtime.http))
    config = uvicorn.Config(
        runtime.http,
        host=settings.http_host,
        port=settings.http_port,
        http="httptools",  # the C parser: a third of h11's CPU a request (docs/performance.md)
        log_level="warning",
        log_config=None,  # uvicorn's own handlers would bypass the masking
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    http_task = asyncio.create_task(server.serve())
    stopped = asyncio.create_task(stop.wait())
    starting = asyncio.create_task(runtime.start_messaging())
    await asyncio.wait({starting, stopped, http_task}, return_when=asyncio.FIRST_COMPLETED)
    if starting.done() and starting.exception() is None:
        log.info("service started", http_port=settings.http_port, kafka=settings.kafka_bootstrap)
        await asyncio.wait({http_task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    log.info("service stopping")
    server.should_exit = True
    if not starting.done():
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starting
    await runtime.stop_messaging()
    with contextlib.suppress(asyncio.CancelledError):
        await http_task
    log.info("service stopped")
    failure = starting.exception() if starting.done() and not starting.cancelled() else None
    if failure is not None:
        raise failure
