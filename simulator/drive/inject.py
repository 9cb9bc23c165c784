"""Injecting submissions straight into `dossier.submitted`, bypassing HTTP.

For the benchmark and the fault tests: thousands of dossiers enter as fast as Kafka
takes them, as if the city portal had accepted them. Codes use the online block of
each unit's daily sequence, so pick simulated days no HTTP run uses at the same time.
With the simulator's signer (`ServiceCluster.signer()`) the records are signed, as a
cluster running signed requires.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer

from contracts.dossier_codes import format_dossier_code
from contracts.dossier_ids import SEQUENCE_BLOCKS, dossier_id_for
from contracts.envelope import CONTENT_TYPE
from contracts.events import Channel, DossierSubmitted
from contracts.signing import Signer
from contracts.topics import ServiceName
from contracts.worktime import HANOI_TZ
from services.kit import EventFactory, OutboxRecord, derived_event_id
from services.kit.kafka_access import simulator_access
from services.kit.tracing import format_traceparent, sampled, span_id_of, trace_id_of
from simulator.scenarios.demand import DemandItem

__all__ = ["publish_records", "submission_records"]


def submission_records(
    items: Sequence[DemandItem],
    signer: Signer | None = None,
    trace_ratio: float = 0.0,
    sequences: Counter[tuple[str, str]] | None = None,
) -> list[OutboxRecord]:
    """One `dossier.submitted` record per item (online, whatever the item's channel); those
    of the dossiers sampled at `trace_ratio` carry a `traceparent` of the dossier's trace
    (as if an applicant's request had made it), so the services trace them. `sequences`
    counts the codes given per unit and day: pass the same one to the calls of one workload
    made in chunks, so no two of its dossiers share a code."""
    factory = EventFactory(ServiceName.SIMULATOR, signer)
    sequences = Counter() if sequences is None else sequences
    first, last = SEQUENCE_BLOCKS[Channel.ONLINE]
    records = []
    for item in items:
        unit = item.unit_code[:3]
        day = item.simtime.astimezone(HANOI_TZ).date()
        sequences[(unit, day.isoformat())] += 1
        number = first - 1 + sequences[(unit, day.isoformat())]
        if number > last:
            raise ValueError(f"more than {last} dossiers for unit {unit} on {day}")
        client_ref = f"inject:{item.client_ref}"
        dossier_id = dossier_id_for(Channel.ONLINE, client_ref)
        submission = DossierSubmitted(
            dossier_id=dossier_id,
            dossier_code=format_dossier_code(unit, day, number),
            procedure_code=item.procedure_code,
            channel=Channel.ONLINE,
            received_unit=unit,
            persons=item.draft.persons,
            form=item.draft.form,
            received_simtime=item.simtime,
            client_ref=client_ref,
        )
        records.append(
            factory.record(
                "dossier.submitted",
                submission,
                event_id=derived_event_id(dossier_id, 0, str(ServiceName.SIMULATOR)),
                correlation_id=dossier_id,
                simtime=item.simtime,
                subject=dossier_id,
                sign=False,
                traceparent=_injected_traceparent(dossier_id, trace_ratio),
            )
        )
    return factory.sign_all(records)


def _injected_traceparent(dossier_id: str, ratio: float) -> str | None:
    if ratio <= 0 or not sampled(dossier_id, ratio):
        return None
    return format_traceparent(trace_id_of(dossier_id), span_id_of(f"inject/{dossier_id}"))


async def publish_records(bootstrap: str, records: Sequence[OutboxRecord]) -> None:
    """Publish records with every confirm awaited (acks from all in-sync replicas)."""
    producer = AIOKafkaProducer(
        **simulator_access(bootstrap).aiokafka_options(), acks="all", linger_ms=5
    )
    await producer.start()
    try:
        sends = [
            await producer.send(
                r.topic,
                r.value,
                key=r.key,
                headers=[(k, v.encode()) for k, v in r.headers]
                or [("content-type", CONTENT_TYPE.encode())],
            )
            for r in records
        ]
        await asyncio.gather(*sends)
    finally:
        await producer.stop()
