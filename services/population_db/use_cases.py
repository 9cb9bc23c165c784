"""What the population database's HTTP API does, each in one store transaction.

Run on the store worker (`await worker.run(use_case, store, ...)`); the routers only
parse, call one of these and turn the result into an HTTP answer.
"""

from __future__ import annotations

from contracts.people import PersonFacts
from services.population_db.store import PopulationStats, PopulationStore

__all__ = ["person", "population_stats"]


def person(store: PopulationStore, id_number: str) -> PersonFacts | None:
    """The population record under this ID number, none when nobody has it."""
    with store.transaction():
        return store.person(id_number)


def population_stats(store: PopulationStore) -> PopulationStats:
    """Counts over the whole population and the seed it was made from."""
    with store.transaction():
        return store.stats()
