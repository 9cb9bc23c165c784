"""The population store: seeded once per size and seed, kept across restarts (SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts.people import MaritalStatus
from services.population_db.store import PopulationStore
from synthetic_population import generate_people
from tests.stores import StoreBackend

SIZE = 300


@pytest.fixture
def store(store_backend: StoreBackend) -> Iterator[PopulationStore]:
    opened = store_backend.open(PopulationStore)
    opened.ensure_seeded(SIZE, 6)
    yield opened
    opened.close()


def test_the_seed_stores_every_generated_person(store: PopulationStore) -> None:
    people = list(generate_people(SIZE, 6))
    assert [store.person(p.id_number) for p in people] == people
    assert store.stats().people == SIZE


def test_an_unknown_number_has_no_record(store: PopulationStore) -> None:
    assert store.person("001087999999") is None


def test_a_restart_with_the_same_size_and_seed_keeps_the_records(
    store: PopulationStore, store_backend: StoreBackend
) -> None:
    person = next(generate_people(SIZE, 6))
    store.save_people([person.model_copy(update={"alive": False})])
    store.close()
    reopened = store_backend.open(PopulationStore)
    report = reopened.ensure_seeded(SIZE, 6)
    assert not report.seeded
    record = reopened.person(person.id_number)
    assert record is not None
    assert not record.alive
    reopened.close()


@pytest.mark.parametrize(("size", "seed"), [(SIZE + 1, 6), (SIZE, 7)])
def test_another_size_or_seed_reseeds(
    store: PopulationStore, store_backend: StoreBackend, size: int, seed: int
) -> None:
    store.record_change("dossier-1", "001087012345", "born")
    store.close()
    reopened = store_backend.open(PopulationStore)
    assert reopened.ensure_seeded(size, seed).seeded
    stats = reopened.stats()
    assert (stats.people, stats.seeded_size, stats.seed) == (size, size, seed)
    assert reopened.changed_by("dossier-1", "born") == []
    first = next(generate_people(size, seed))
    assert reopened.person(first.id_number) == first
    reopened.close()


def test_stats_count_the_deceased_and_the_married(store: PopulationStore) -> None:
    people = list(generate_people(SIZE, 6))
    stats = store.stats()
    assert stats.deceased == sum(not p.alive for p in people)
    assert stats.alive == SIZE - stats.deceased
    assert stats.married == sum(p.marital_status is MaritalStatus.MARRIED for p in people)


def test_applied_changes_are_remembered_per_dossier(store: PopulationStore) -> None:
    store.record_change("dossier-1", "001087012345", "born")
    store.record_change("dossier-1", "001087012345", "born")
    assert store.changed_by("dossier-1", "born") == ["001087012345"]
    assert store.changed_by("dossier-1", "died") == []
