"""The population database applies approved civil-status settlements (in-memory broker)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from contracts.envelope import parse_event
from contracts.events import (
    BirthChange,
    DeathChange,
    IdentityCheckCompleted,
    IdentityResult,
    MarriageChange,
    Outcome,
    PopulationRecordChanged,
    RecordChange,
)
from contracts.people import DeclaredPerson, PersonFacts, PersonRole, Sex
from tests.service.test_population_db_support import (
    PEOPLE,
    SETTLED_AT,
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


# -- civil-status settlements -----------------------------------------------------------


async def test_an_approved_birth_creates_a_person_a_later_check_finds(service: Harness) -> None:
    birth = BirthChange(
        full_name="Nguyễn Minh Khoa", sex=Sex.MALE, birth_date=date(2026, 3, 1),
        residence_unit="00203",
    )  # fmt: skip
    settled = settled_with(birth)
    await service.send("dossier.settled", settled, settled.dossier_id)
    [changed] = service.events("population.record.changed", PopulationRecordChanged)
    assert (changed.change, changed.dossier_id) == (RecordChange.BORN, settled.dossier_id)
    child = changed.record
    assert child.id_number == changed.id_number
    assert child.id_number not in {p.id_number for p in PEOPLE}
    raw = next(r for r in service.published if r.topic == "population.record.changed")
    assert raw.key == child.id_number.encode()
    assert parse_event(raw.value, PopulationRecordChanged).simtime == SETTLED_AT

    declared = DeclaredPerson(
        role=PersonRole.CHILD,
        id_number=child.id_number,
        full_name="Nguyễn Minh Khoa",
        birth_date=date(2026, 3, 1),
        sex=Sex.MALE,
    )
    await service.send("identity.check.requested", check_request(child.id_number, declared))
    [completed] = service.events("identity.check.completed", IdentityCheckCompleted)
    assert completed.result is IdentityResult.MATCH


async def test_a_birth_settled_twice_creates_one_person(service: Harness) -> None:
    birth = BirthChange(
        full_name="Lê Thị Mai", sex=Sex.FEMALE, birth_date=date(2026, 2, 1), residence_unit="00101"
    )
    settled = settled_with(birth)
    await service.send("dossier.settled", settled, settled.dossier_id)
    await service.send("dossier.settled", settled, settled.dossier_id)
    first, again = service.events("population.record.changed", PopulationRecordChanged)
    assert first == again
    stats = (await service.http.get("/stats")).json()
    assert stats["people"] == SIZE + 1


async def test_a_death_makes_a_later_check_answer_deceased(service: Harness) -> None:
    person = adult(Sex.FEMALE, 1)
    settled = settled_with(DeathChange(id_number=person.id_number, date_of_death=date(2026, 3, 1)))
    await service.send("dossier.settled", settled)
    [changed] = service.events("population.record.changed", PopulationRecordChanged)
    assert changed.change is RecordChange.DIED
    assert not changed.record.alive
    await service.send(
        "identity.check.requested", check_request(person.id_number, declared(person))
    )
    [completed] = service.events("identity.check.completed", IdentityCheckCompleted)
    assert completed.result is IdentityResult.DECEASED


async def test_a_marriage_links_both_spouses(service: Harness) -> None:
    man, woman = adult(Sex.MALE, 2), adult(Sex.FEMALE, 2)
    settled = settled_with(MarriageChange(id_numbers=(man.id_number, woman.id_number)))
    await service.send("dossier.settled", settled)
    changes = service.events("population.record.changed", PopulationRecordChanged)
    assert [(c.id_number, c.change) for c in changes] == [
        (man.id_number, RecordChange.MARRIED),
        (woman.id_number, RecordChange.MARRIED),
    ]
    husband = (await service.http.get(f"/people/{man.id_number}")).json()
    wife = (await service.http.get(f"/people/{woman.id_number}")).json()
    assert (husband["marital_status"], husband["spouse_id_number"]) == (
        "married",
        woman.id_number,
    )
    assert (wife["marital_status"], wife["spouse_id_number"]) == ("married", man.id_number)


async def test_a_rejected_settlement_changes_nothing(service: Harness) -> None:
    person = adult(Sex.MALE, 3)
    change = DeathChange(id_number=person.id_number, date_of_death=date(2026, 3, 1))
    await service.send("dossier.settled", settled_with(change, Outcome.REJECTED))
    await service.send("dossier.settled", settled_with(None))
    assert service.published == []
    record = (await service.http.get(f"/people/{person.id_number}")).json()
    assert PersonFacts.model_validate(record) == person


async def test_a_change_naming_an_unknown_person_is_dead_lettered(service: Harness) -> None:
    change = DeathChange(id_number="001087999999", date_of_death=date(2026, 3, 1))
    await service.send("dossier.settled", settled_with(change))
    [dead] = service.deadletters()
    assert dict(dead.headers)["deadletter.reason"] == b"unknown_person"
    assert service.events("population.record.changed", PopulationRecordChanged) == []
