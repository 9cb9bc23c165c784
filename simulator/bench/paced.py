"""Injecting submission records into Kafka, all at once or at a fixed rate, as they stream
from the workload (none kept).

Each record's timestamp (Kafka CreateTime) is set at the moment it is handed to the
producer, and kept per dossier: the start of its submission-to-settlement latency.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer

from contracts.envelope import CONTENT_TYPE
from services.kit import OutboxRecord
from services.kit.kafka_access import simulator_access
from simulator.bench.dossier_table import DossierIndex, TimesByDossier

__all__ = ["CONFIRMS_IN_FLIGHT", "Injection", "inject"]

#: Sends whose confirms may be pending at once (the memory of a long run stays flat).
CONFIRMS_IN_FLIGHT = 20_000


@dataclass
class Injection:
    """When each dossier was injected (ms since the epoch) and how long injecting took."""

    submitted_ms: TimesByDossier = field(default_factory=lambda: TimesByDossier(DossierIndex()))
    started_ms: int = 0
    seconds: float = 0.0
    achieved_rate: float = 0.0


async def inject(
    bootstrap: str,
    records: Iterable[OutboxRecord],
    rate: float | None = None,
    index: DossierIndex | None = None,
) -> Injection:
    """Publish the records as the iterable yields them (every confirm awaited; at most
    `CONFIRMS_IN_FLIGHT` pending at once); at most `rate` a second when given. The
    submission times are kept by the dossiers' positions in `index` (the watcher's)."""
    producer = AIOKafkaProducer(
        **simulator_access(bootstrap).aiokafka_options(),
        acks="all",
        linger_ms=2,
        max_batch_size=64 * 1024,
    )
    await producer.start()
    injection = Injection(TimesByDossier(index or DossierIndex()))
    headers = [("content-type", CONTENT_TYPE.encode())]
    try:
        started = time.perf_counter()
        injection.started_ms = int(time.time() * 1000)
        sends: list[asyncio.Future[Any]] = []
        sent = 0
        for record in records:
            if rate and (ahead := sent / rate - (time.perf_counter() - started)) > 0.005:
                await asyncio.sleep(ahead)
            now_ms = int(time.time() * 1000)
            if record.key:
                injection.submitted_ms.put(record.key.decode(), now_ms)
            sends.append(
                await producer.send(
                    record.topic,
                    record.value,
                    key=record.key,
                    headers=[(k, v.encode()) for k, v in record.headers] or headers,
                    timestamp_ms=now_ms,
                )
            )
            sent += 1
            if len(sends) >= CONFIRMS_IN_FLIGHT:
                await asyncio.gather(*sends)
                sends.clear()
        await asyncio.gather(*sends)
        injection.seconds = time.perf_counter() - started
        injection.achieved_rate = sent / injection.seconds if injection.seconds else 0.0
    finally:
        await producer.stop()
    return injection
