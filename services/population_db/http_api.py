"""The read-only HTTP API of the population database: look a person up, count people.

Thin routes: each parses its input, calls one use case (`use_cases.py`) on the store
worker and turns the result into an HTTP answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, Field

from contracts.id_numbers import IdNumberStr
from contracts.people import PersonFacts
from services.kit.http_types import refusals
from services.kit.store import StoreWorker
from services.population_db import use_cases
from services.population_db.store import PopulationStore

__all__ = ["StatsResponse", "people_router"]

_SEEDING = "The population is being seeded; try again shortly."


class StatsResponse(BaseModel):
    """Counts over the population database."""

    people: int = Field(description="Records in the database (living and deceased).")
    alive: int = Field(description="Living people.")
    deceased: int = Field(description="People recorded deceased.")
    married: int = Field(description="People recorded married.")
    seeded_size: int | None = Field(description="Size of the seeded synthetic population.")
    seed: int | None = Field(description="Seed of the synthetic population.")


def people_router(
    worker: StoreWorker, store: PopulationStore, seeded: Callable[[], bool]
) -> APIRouter:
    """`GET /people/{id_number}` and `GET /stats`; 503 while the population is being seeded."""
    router = APIRouter(tags=["population"])

    def _require_seeded() -> None:
        if not seeded():
            raise HTTPException(503, "the population is being seeded; try again shortly")

    @router.get(
        "/people/{id_number}",
        summary="The population record of one person",
        responses=refusals(422, why={404: "No person has this ID number.", 503: _SEEDING}),
    )
    async def get_person(
        id_number: Annotated[
            IdNumberStr, Path(description="12-digit personal ID number (số định danh cá nhân).")
        ],
    ) -> PersonFacts:
        _require_seeded()
        record = await worker.run(use_cases.person, store, id_number)
        if record is None:
            raise HTTPException(404, "no person has this ID number in the population database")
        return record

    @router.get(
        "/stats",
        summary="Population size and deceased count",
        responses=refusals(why={503: _SEEDING}),
    )
    async def get_stats() -> StatsResponse:
        _require_seeded()
        stats = await worker.run(use_cases.population_stats, store)
        return StatsResponse(
            people=stats.people,
            alive=stats.alive,
            deceased=stats.deceased,
            married=stats.married,
            seeded_size=stats.seeded_size,
            seed=stats.seed,
        )

    return router
