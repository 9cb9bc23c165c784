"""Pure rules of the population database: applying approved civil-status changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from contracts.events import (
    BirthChange,
    Channel,
    DeathChange,
    DossierSettled,
    MarriageChange,
    Outcome,
    PopulationRecordChanged,
    RecordChange,
    ResidenceChange,
)
from contracts.id_numbers import id_number_consistency, parse_id_number
from contracts.people import MaritalStatus, PersonFacts, Sex
from contracts.worktime import HANOI_TZ
from services.population_db.domain import (
    ChangeRefused,
    apply_change,
    birth_id_number,
    record_changed_events,
)

AN = "001087012345"
BINH = "001190054321"
CUONG = "001065000111"


def record(**overrides: Any) -> PersonFacts:
    values: dict[str, Any] = {
        "id_number": AN,
        "full_name": "Nguyễn Văn An",
        "birth_date": date(1987, 5, 4),
        "sex": Sex.MALE,
        "alive": True,
        "marital_status": MaritalStatus.SINGLE,
        "residence_unit": "00101",
    }
    values.update(overrides)
    return PersonFacts(**values)


BINH_RECORD = record(
    id_number=BINH, full_name="Trần Thị Bình", birth_date=date(1990, 2, 1), sex=Sex.FEMALE
)


def people(*records: PersonFacts) -> dict[str, PersonFacts]:
    return {r.id_number: r for r in records}


# -- births -----------------------------------------------------------------------------

BIRTH = BirthChange(
    full_name="Nguyễn Minh Khoa",
    sex=Sex.MALE,
    birth_date=date(2026, 3, 1),
    residence_unit="00203",
    father_id_number=AN,
    mother_id_number=BINH,
)


def test_a_birth_creates_a_single_living_person_with_a_new_consistent_id_number() -> None:
    applied = apply_change(BIRTH, "dossier-1", people(record()).get)
    [child] = applied.writes
    assert applied.published == ((RecordChange.BORN, child),)
    assert applied.born_id_number == child.id_number
    assert id_number_consistency(child.id_number, Sex.MALE, 2026) == []
    assert parse_id_number(child.id_number).province_code == "001"
    assert child.alive
    assert child.marital_status is MaritalStatus.SINGLE
    assert child.spouse_id_number is None
    assert child.residence_unit == "00203"
    assert (child.full_name, child.birth_date) == ("Nguyễn Minh Khoa", date(2026, 3, 1))


def test_a_birth_number_derives_from_the_dossier_id() -> None:
    first = birth_id_number(BIRTH, "dossier-1", lambda _: False)
    assert birth_id_number(BIRTH, "dossier-1", lambda _: False) == first
    assert birth_id_number(BIRTH, "dossier-2", lambda _: False) != first


def test_a_birth_number_already_taken_is_drawn_again() -> None:
    first = birth_id_number(BIRTH, "dossier-1", lambda _: False)
    second = birth_id_number(BIRTH, "dossier-1", lambda n: n == first)
    assert second != first
    assert second[:6] == first[:6]


def test_a_birth_outside_hanoi_units_is_refused() -> None:
    change = BIRTH.model_copy(update={"residence_unit": "99999"})
    with pytest.raises(ChangeRefused) as refused:
        apply_change(change, "dossier-1", people().get)
    assert refused.value.reason == "unknown_unit"


def test_a_birth_year_that_cannot_be_numbered_is_refused() -> None:
    change = BIRTH.model_copy(update={"birth_date": date(1899, 12, 31)})
    with pytest.raises(ChangeRefused) as refused:
        apply_change(change, "dossier-1", people().get)
    assert refused.value.reason == "invalid_change"


# -- deaths ------------------------------------------------------------------------------


def test_a_death_marks_the_person_deceased() -> None:
    applied = apply_change(
        DeathChange(id_number=AN, date_of_death=date(2026, 3, 1)), "d", people(record()).get
    )
    [dead] = applied.writes
    assert not dead.alive
    assert applied.published == ((RecordChange.DIED, dead),)


def test_a_death_widows_the_living_spouse() -> None:
    husband = record(marital_status=MaritalStatus.MARRIED, spouse_id_number=BINH)
    wife = BINH_RECORD.model_copy(
        update={"marital_status": MaritalStatus.MARRIED, "spouse_id_number": AN}
    )
    change = DeathChange(id_number=AN, date_of_death=date(2026, 3, 1))
    applied = apply_change(change, "d", people(husband, wife).get)
    dead, widow = applied.writes
    assert not dead.alive
    assert dead.spouse_id_number == BINH
    assert widow.marital_status is MaritalStatus.WIDOWED
    assert widow.spouse_id_number is None
    assert [kind for kind, _ in applied.published] == [RecordChange.DIED]


def test_the_death_of_a_deceased_person_changes_nothing_more() -> None:
    dead = record(alive=False)
    change = DeathChange(id_number=AN, date_of_death=date(2026, 3, 1))
    applied = apply_change(change, "d", people(dead).get)
    assert applied.writes == (dead,)


def test_the_death_of_an_unknown_person_is_refused() -> None:
    change = DeathChange(id_number=CUONG, date_of_death=date(2026, 3, 1))
    with pytest.raises(ChangeRefused) as refused:
        apply_change(change, "d", people(record()).get)
    assert refused.value.reason == "unknown_person"


# -- marriages ---------------------------------------------------------------------------


def test_a_marriage_makes_both_married_and_links_them() -> None:
    applied = apply_change(
        MarriageChange(id_numbers=(AN, BINH)), "m", people(record(), BINH_RECORD).get
    )
    husband, wife = applied.writes
    assert husband.marital_status is wife.marital_status is MaritalStatus.MARRIED
    assert (husband.spouse_id_number, wife.spouse_id_number) == (BINH, AN)
    assert applied.published == ((RecordChange.MARRIED, husband), (RecordChange.MARRIED, wife))


def test_a_widowed_or_divorced_person_may_marry() -> None:
    widow = BINH_RECORD.model_copy(update={"marital_status": MaritalStatus.WIDOWED})
    divorced = record(marital_status=MaritalStatus.DIVORCED)
    applied = apply_change(MarriageChange(id_numbers=(AN, BINH)), "m", people(divorced, widow).get)
    assert all(p.marital_status is MaritalStatus.MARRIED for p in applied.writes)


def test_a_marriage_repeated_between_the_same_spouses_is_accepted() -> None:
    husband = record(marital_status=MaritalStatus.MARRIED, spouse_id_number=BINH)
    wife = BINH_RECORD.model_copy(
        update={"marital_status": MaritalStatus.MARRIED, "spouse_id_number": AN}
    )
    applied = apply_change(MarriageChange(id_numbers=(AN, BINH)), "m", people(husband, wife).get)
    assert applied.writes == (husband, wife)


def test_a_marriage_of_someone_married_to_another_is_refused() -> None:
    husband = record(marital_status=MaritalStatus.MARRIED, spouse_id_number=CUONG)
    with pytest.raises(ChangeRefused) as refused:
        apply_change(MarriageChange(id_numbers=(AN, BINH)), "m", people(husband, BINH_RECORD).get)
    assert refused.value.reason == "already_married"


def test_a_marriage_naming_an_unknown_person_is_refused() -> None:
    with pytest.raises(ChangeRefused) as refused:
        apply_change(MarriageChange(id_numbers=(AN, CUONG)), "m", people(record()).get)
    assert refused.value.reason == "unknown_person"


def test_a_marriage_with_a_deceased_person_is_refused() -> None:
    dead = BINH_RECORD.model_copy(update={"alive": False})
    with pytest.raises(ChangeRefused) as refused:
        apply_change(MarriageChange(id_numbers=(AN, BINH)), "m", people(record(), dead).get)
    assert refused.value.reason == "deceased_person"


def test_a_marriage_of_a_person_with_themself_is_refused() -> None:
    with pytest.raises(ChangeRefused) as refused:
        apply_change(MarriageChange(id_numbers=(AN, AN)), "m", people(record()).get)
    assert refused.value.reason == "invalid_change"


# -- permanent residence --------------------------------------------------------------------


def test_a_permanent_residence_registration_moves_the_person() -> None:
    change = ResidenceChange(id_number=AN, new_residence_unit="27705")
    applied = apply_change(change, "r", people(record()).get)
    [moved] = applied.writes
    assert moved.residence_unit == "27705"
    assert applied.published == ((RecordChange.MOVED, moved),)


def test_a_move_to_an_unknown_unit_is_refused() -> None:
    change = ResidenceChange(id_number=AN, new_residence_unit="nowhere")
    with pytest.raises(ChangeRefused) as refused:
        apply_change(change, "r", people(record()).get)
    assert refused.value.reason == "unknown_unit"


def test_a_move_of_an_unknown_person_is_refused() -> None:
    change = ResidenceChange(id_number=CUONG, new_residence_unit="27705")
    with pytest.raises(ChangeRefused) as refused:
        apply_change(change, "r", people(record()).get)
    assert refused.value.reason == "unknown_person"


def test_a_move_of_a_deceased_person_is_refused() -> None:
    change = ResidenceChange(id_number=AN, new_residence_unit="27705")
    with pytest.raises(ChangeRefused) as refused:
        apply_change(change, "r", people(record(alive=False)).get)
    assert refused.value.reason == "deceased_person"


# -- the record changes published --------------------------------------------------------


def test_each_changed_record_is_published_at_the_settlements_moment_in_order() -> None:
    marriage = MarriageChange(id_numbers=(AN, BINH))
    settled_at = datetime(2026, 3, 3, 10, 0, tzinfo=HANOI_TZ)
    settled = DossierSettled(
        dossier_id="dossier-7",
        dossier_code="00101-260302-0001",
        procedure_code="1.000894",
        channel=Channel.ONLINE,
        received_unit="00101",
        outcome=Outcome.APPROVED,
        settled_by="city_portal",
        result_document_number="KH-2026-000001",
        received_simtime=settled_at,
        settled_simtime=settled_at,
        working_days_taken=0.0,
        civil_status_change=marriage,
    )
    applied = apply_change(marriage, "dossier-7", people(record(), BINH_RECORD).get)
    events = record_changed_events(settled, applied.published)
    assert [e.topic for e in events] == ["population.record.changed"] * 2
    assert {(e.simtime, e.subject) for e in events} == {(settled_at, "dossier-7")}
    assert [e.payload for e in events] == [
        PopulationRecordChanged(
            id_number=r.id_number, change=RecordChange.MARRIED, dossier_id="dossier-7", record=r
        )
        for r in applied.writes
    ]
