"""Wiring of the population database: settings, store, seed, Kafka handlers, HTTP routers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from contracts.topics import ServiceName
from contracts.worktime import HANOI_TZ, next_office_moment
from services.kit.consumption import BatchHook
from services.kit.health import health_router
from services.kit.http_app import service_http_app
from services.kit.operations import mount_operations
from services.kit.runtime import ServiceRuntime
from services.population_db.domain.records import CleaningPlan, DirtyShares, cleaning_plan
from services.population_db.handlers import PopulationDbHandlers
from services.population_db.http_api import people_router
from services.population_db.seeding import start_seeding
from services.population_db.settings import PopulationDbSettings
from services.population_db.store import PopulationStore

__all__ = ["DATABASE_FILE", "build_runtime", "records_of"]

DATABASE_FILE = "population_db.sqlite"


def slow_checks(settings: PopulationDbSettings) -> BatchHook:
    """The slow-database fault: a batch waits `check_delay_ms` per identity check in it.

    Awaited before the batch is handled, so the event loop (and the HTTP API) stays free;
    the delay is read at each batch, so a run-time change applies from the next batch on.
    """

    async def wait(records: list[Any]) -> None:
        checks = sum(1 for r in records if r.topic == "identity.check.requested")
        if settings.check_delay_ms and checks:
            await asyncio.sleep(settings.check_delay_ms * checks / 1000)

    return wait


def build_runtime(settings: PopulationDbSettings) -> ServiceRuntime:
    """The population database service, its seed queued on the store worker."""
    store = PopulationStore.from_settings(settings, "population_db", DATABASE_FILE)
    http = service_http_app(
        "portalsim population_db",
        "National population database (CSDL quốc gia về dân cư): read-only lookups.",
    )
    runtime = ServiceRuntime.build(ServiceName.POPULATION_DB, settings, store, http)
    seeding = start_seeding(runtime, store, settings)
    handlers = PopulationDbHandlers(store, records_of(settings, store))
    runtime.messaging.gate.before_batch = slow_checks(settings)
    live = mount_operations(runtime)
    live.on_change(lambda _new: handlers.replan())  # the cleaning rate is read at planning
    on = runtime.messaging.on
    on("identity.check.requested")(handlers.on_identity_check_requested)
    on("dossier.settled")(handlers.on_dossier_settled)
    http.include_router(health_router(runtime))
    http.include_router(people_router(runtime.messaging.worker, store, seeding.done))
    return runtime


def records_of(
    settings: PopulationDbSettings, store: PopulationStore
) -> Callable[[], CleaningPlan] | None:
    """What builds the plan of the seeded population's dirty records (None when clean); it
    runs on the store worker, at the first identity check."""
    shares = DirtyShares(
        settings.dirty_children_share, settings.dirty_merit_share, settings.dirty_moved_share
    )
    if not shares.any:
        return None
    as_of = settings.records_as_of

    def plan() -> CleaningPlan:
        people = store.seeded_birth_dates()
        start = next_office_moment(datetime.combine(as_of, time(0), HANOI_TZ))
        return cleaning_plan(people, shares, as_of, start, settings.record_cleaning_per_day)

    return plan
