"""The population database on FastStream's in-memory broker: identity checks and HTTP."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.envelope import parse_event
from contracts.events import (
    DeathChange,
    IdentityCheckCompleted,
    IdentityResult,
)
from contracts.people import PersonFacts, PersonRole, Sex
from services.population_db.app import build_runtime
from services.population_db.store import PopulationStore
from tests.service.test_population_db_support import (
    PEOPLE,
    SEED,
    SIZE,
    Harness,
    adult,
    check_request,
    declared,
    running_service,
    settings_for,
    settled_with,
)


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Harness]:
    async for harness in running_service(settings_for(tmp_path)):
        yield harness


# -- identity checks ---------------------------------------------------------------------


async def test_a_check_of_a_true_declaration_completes_as_a_match(service: Harness) -> None:
    person = adult(Sex.MALE)
    await service.send(
        "identity.check.requested", check_request(person.id_number, declared(person)), "dossier-1"
    )
    [completed] = service.events("identity.check.completed", IdentityCheckCompleted)
    assert completed.result is IdentityResult.MATCH
    assert (completed.check_id, completed.requester_id) == ("dossier-1:applicant", "dossier-1")
    assert completed.role is PersonRole.APPLICANT
    assert completed.record == person
    [raw] = service.published
    assert raw.key == b"dossier-1"
    assert parse_event(raw.value, IdentityCheckCompleted).correlationid == "dossier-1"


async def test_a_wrong_birth_date_completes_as_a_mismatch_naming_it(service: Harness) -> None:
    person = adult(Sex.FEMALE)
    wrong = declared(person, birth_date=date(person.birth_date.year, 1, 1), full_name="X Y Z")
    if wrong.birth_date == person.birth_date:
        wrong = declared(person, birth_date=date(person.birth_date.year, 12, 31))
    await service.send("identity.check.requested", check_request(person.id_number, wrong))
    [completed] = service.events("identity.check.completed", IdentityCheckCompleted)
    assert completed.result is IdentityResult.MISMATCH
    assert completed.mismatched_fields == ["full_name", "birth_date"]
    assert completed.record == person


async def test_an_unknown_number_completes_as_not_found(service: Harness) -> None:
    unknown = declared(adult(Sex.MALE), id_number="001087999999")
    await service.send("identity.check.requested", check_request("001087999999", unknown))
    [completed] = service.events("identity.check.completed", IdentityCheckCompleted)
    assert completed.result is IdentityResult.NOT_FOUND
    assert completed.record is None


async def test_a_malformed_number_completes_as_malformed_id(service: Harness) -> None:
    malformed = declared(adult(Sex.MALE), id_number="12345")
    await service.send("identity.check.requested", check_request("12345", malformed))
    [completed] = service.events("identity.check.completed", IdentityCheckCompleted)
    assert completed.result is IdentityResult.MALFORMED_ID
    assert completed.record is None


async def test_a_seeded_deceased_person_completes_as_deceased(service: Harness) -> None:
    dead = next(p for p in PEOPLE if not p.alive)
    await service.send("identity.check.requested", check_request(dead.id_number, declared(dead)))
    [completed] = service.events("identity.check.completed", IdentityCheckCompleted)
    assert completed.result is IdentityResult.DECEASED
    assert completed.record == dead


async def test_a_check_delay_slows_everycheck_request(tmp_path: Path) -> None:
    person = adult(Sex.MALE)
    async for harness in running_service(settings_for(tmp_path, check_delay_ms=150)):
        started = time.perf_counter()
        await harness.send(
            "identity.check.requested", check_request(person.id_number, declared(person))
        )
        assert time.perf_counter() - started >= 0.15
        assert len(harness.events("identity.check.completed", IdentityCheckCompleted)) == 1


# -- HTTP --------------------------------------------------------------------------------


async def test_get_people_returns_the_record(service: Harness) -> None:
    person = PEOPLE[0]
    response = await service.http.get(f"/people/{person.id_number}")
    assert response.status_code == 200
    assert PersonFacts.model_validate(response.json()) == person


async def test_get_people_of_an_unknown_number_is_404(service: Harness) -> None:
    response = await service.http.get("/people/001087999999")
    assert response.status_code == 404
    assert "no person" in response.json()["detail"]


async def test_get_people_of_a_malformed_number_is_422_naming_id_number(service: Harness) -> None:
    response = await service.http.get("/people/00108701234x")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["path", "id_number"]
    assert "00108701234x" not in error["msg"]


async def test_stats_count_the_population(service: Harness) -> None:
    stats = (await service.http.get("/stats")).json()
    assert stats["people"] == SIZE
    assert stats["deceased"] == sum(not p.alive for p in PEOPLE)
    assert (stats["seeded_size"], stats["seed"]) == (SIZE, SEED)


async def test_healthz_is_503_until_ready(service: Harness) -> None:
    assert (await service.http.get("/healthz")).status_code == 503
    service.runtime.ready.set()
    response = await service.http.get("/healthz")
    assert response.status_code == 200
    assert response.json()["service"] == "population_db"


async def test_a_restart_keeps_the_changes(tmp_path: Path) -> None:
    person = adult(Sex.MALE, 4)
    change = DeathChange(id_number=person.id_number, date_of_death=date(2026, 3, 1))
    async for harness in running_service(settings_for(tmp_path)):
        await harness.send("dossier.settled", settled_with(change))
    async for harness in running_service(settings_for(tmp_path)):
        record = (await harness.http.get(f"/people/{person.id_number}")).json()
        assert record["alive"] is False


async def test_the_service_answers_503_and_is_not_started_until_seeded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    original = PopulationStore.ensure_seeded

    def slow_seed(self: PopulationStore, size: int, seed: int) -> Any:
        release.wait(10)
        return original(self, size, seed)

    monkeypatch.setattr(PopulationStore, "ensure_seeded", slow_seed)
    runtime = build_runtime(settings_for(tmp_path))
    transport = httpx.ASGITransport(app=runtime.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/stats")).status_code == 503
        assert (await client.get(f"/people/{PEOPLE[0].id_number}")).status_code == 503
        [wait_for_seed] = runtime.on_start
        waiting = asyncio.ensure_future(wait_for_seed())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        release.set()
        await asyncio.wait_for(waiting, 10)
        assert (await client.get("/stats")).json()["people"] == SIZE
    runtime.messaging.worker.close()
