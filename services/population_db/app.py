"""Wiring of the population database: store, seed, HTTP API, Kafka handlers.

Handlers run on the store worker inside the kit's batch transaction and stay thin:
parse (done by the kit) -> domain -> store -> emit.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import Future

import structlog
from fastapi import FastAPI

from contracts.envelope import CloudEvent
from contracts.events import (
    BirthChange,
    DossierSettled,
    IdentityCheckCompleted,
    IdentityCheckRequested,
    Outcome,
    PopulationRecordChanged,
    RecordChange,
)
from contracts.people import PersonFacts
from contracts.topics import ServiceName
from services.kit.emitter import HandlerContext
from services.kit.health import health_router
from services.kit.messaging import RejectEvent
from services.kit.runtime import ServiceRuntime
from services.population_db.domain import (
    ChangeRefused,
    apply_change,
    is_well_formed,
    judge_identity,
)
from services.population_db.http_api import people_router
from services.population_db.settings import PopulationDbSettings
from services.population_db.store import PopulationStore, SeedReport

__all__ = ["DATABASE_FILE", "build_runtime"]

DATABASE_FILE = "population_db.sqlite"
log = structlog.get_logger("portalsim.population_db")


def _start_seeding(
    runtime: ServiceRuntime, store: PopulationStore, settings: PopulationDbSettings
) -> Future[SeedReport]:
    """Queue the seed on the store worker's thread first, so no event is handled before it.

    The store worker runs one call at a time in order (an inline call waits for what was
    submitted to the thread), so consumer batches and HTTP reads queue behind the seed.
    An ``on_start`` hook awaits it: the service is ready (healthz 200) only once the
    population is seeded.
    """

    def seed() -> SeedReport:
        report = store.ensure_seeded(settings.population_size, settings.population_seed)
        log.info(
            "population seeded" if report.seeded else "population reused",
            size=report.size,
            seed=report.seed,
            seconds=round(report.seconds, 3),
        )
        return report

    # The kit's StoreWorker has no public submit() (usable without a running event loop).
    seeding: Future[SeedReport] = runtime.messaging.worker.submit(seed)

    async def wait_for_seed() -> None:
        await asyncio.wrap_future(seeding)

    runtime.on_start.append(wait_for_seed)
    return seeding


def build_runtime(settings: PopulationDbSettings) -> ServiceRuntime:
    """The population database service, its seed queued on the store worker."""
    if settings.check_delay_ms:  # the fault sleeps in the handler: keep the event loop free
        settings = settings.model_copy(update={"store_thread": True})
    store = PopulationStore(settings.data_dir / DATABASE_FILE)
    http = FastAPI(
        title="portalsim population_db",
        description="National population database (CSDL quốc gia về dân cư): read-only lookups.",
        version="1",
    )
    runtime = ServiceRuntime.build(ServiceName.POPULATION_DB, settings, store, http)
    seeding = _start_seeding(runtime, store, settings)
    http.include_router(health_router(runtime))
    http.include_router(people_router(runtime, store, seeding.done))
    delay_seconds = settings.check_delay_ms / 1000

    @runtime.messaging.on("identity.check.requested")
    def on_identity_check_requested(
        event: CloudEvent[IdentityCheckRequested], ctx: HandlerContext
    ) -> None:
        if delay_seconds:
            time.sleep(delay_seconds)  # the fault: a slow database (store_thread is on for it)
        request = event.data
        record = store.person(request.id_number) if is_well_formed(request.id_number) else None
        verdict = judge_identity(request.id_number, request.person, record)
        ctx.emit(
            "identity.check.completed",
            IdentityCheckCompleted(
                check_id=request.check_id,
                requester_kind=request.requester_kind,
                requester_id=request.requester_id,
                role=request.person.role,
                result=verdict.result,
                mismatched_fields=list(verdict.mismatched_fields),
                detail=verdict.detail,
                record=record,
            ),
            subject=request.requester_id,
        )

    @runtime.messaging.on("dossier.settled")
    def on_dossier_settled(event: CloudEvent[DossierSettled], ctx: HandlerContext) -> None:
        settled = event.data
        change = settled.civil_status_change
        if settled.outcome is not Outcome.APPROVED or change is None:
            return
        published = _earlier_birth(store, settled) if isinstance(change, BirthChange) else None
        if published is None:
            try:
                applied = apply_change(change, settled.dossier_id, store.person)
            except ChangeRefused as exc:
                raise RejectEvent(exc.reason, exc.detail) from exc
            store.save_people(applied.writes)
            published = list(applied.published)
        for kind, record in published:
            store.record_change(settled.dossier_id, record.id_number, kind.value)
            _emit_record_changed(ctx, settled, kind, record)

    return runtime


def _earlier_birth(
    store: PopulationStore, settled: DossierSettled
) -> list[tuple[RecordChange, PersonFacts]] | None:
    """The child a birth dossier already created (published again, never created twice)."""
    for id_number in store.changed_by(settled.dossier_id, RecordChange.BORN.value):
        record = store.person(id_number)
        if record is not None:
            return [(RecordChange.BORN, record)]
    return None


def _emit_record_changed(
    ctx: HandlerContext, settled: DossierSettled, kind: RecordChange, record: PersonFacts
) -> None:
    ctx.emit(
        "population.record.changed",
        PopulationRecordChanged(
            id_number=record.id_number, change=kind, dossier_id=settled.dossier_id, record=record
        ),
        simtime=settled.settled_simtime,
        subject=settled.dossier_id,
    )
