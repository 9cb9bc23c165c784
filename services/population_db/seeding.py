"""Seeding the synthetic population before the population database handles anything."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future

import structlog

from services.kit.runtime import ServiceRuntime
from services.population_db.settings import PopulationDbSettings
from services.population_db.store import PopulationStore, SeedReport

__all__ = ["start_seeding"]

log = structlog.get_logger("portalsim.population_db")


def start_seeding(
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

    # `submit` needs no running event loop: the seed is queued while the service is built.
    seeding: Future[SeedReport] = runtime.messaging.worker.submit(seed)

    async def wait_for_seed() -> None:
        await asyncio.wrap_future(seeding)

    runtime.on_start.append(wait_for_seed)
    return seeding
