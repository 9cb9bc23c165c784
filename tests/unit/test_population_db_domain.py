"""Pure rules of the population database: identity checks (changes: test_population_db_changes)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from contracts.events import (
    IdentityCheckCompleted,
    IdentityCheckRequested,
    IdentityResult,
    RequesterKind,
)
from contracts.people import DeclaredPerson, MaritalStatus, PersonFacts, PersonRole, Sex
from services.population_db.domain import (
    identity_check_completed,
    is_well_formed,
    judge_identity,
    same_name,
)

AN = "001087012345"


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


def declared(**overrides: Any) -> DeclaredPerson:
    values: dict[str, Any] = {
        "role": PersonRole.APPLICANT,
        "id_number": AN,
        "full_name": "Nguyễn Văn An",
        "birth_date": date(1987, 5, 4),
        "sex": Sex.MALE,
    }
    values.update(overrides)
    return DeclaredPerson(**values)


def test_an_identical_declaration_matches() -> None:
    verdict = judge_identity(AN, declared(), record())
    assert verdict.result is IdentityResult.MATCH
    assert verdict.mismatched_fields == ()


def test_names_match_regardless_of_case_spacing_and_unicode_form() -> None:
    decomposed = "nguye\u0302\u0303n  văn AN "
    assert same_name(decomposed, "Nguyễn Văn An")
    assert judge_identity(AN, declared(full_name=decomposed), record()).result is (
        IdentityResult.MATCH
    )


def test_a_different_name_is_a_full_name_mismatch() -> None:
    verdict = judge_identity(AN, declared(full_name="Nguyễn Văn Ân"), record())
    assert verdict.result is IdentityResult.MISMATCH
    assert verdict.mismatched_fields == ("full_name",)
    assert "full_name" in verdict.detail


def test_a_different_day_of_birth_is_a_birth_date_mismatch() -> None:
    verdict = judge_identity(AN, declared(birth_date=date(1987, 5, 5)), record())
    assert verdict.mismatched_fields == ("birth_date",)


def test_a_birth_year_the_id_number_contradicts_also_names_the_id_number() -> None:
    verdict = judge_identity(AN, declared(birth_date=date(1988, 5, 4)), record())
    assert verdict.result is IdentityResult.MISMATCH
    assert verdict.mismatched_fields == ("birth_date", "id_number")


def test_a_different_sex_is_a_sex_and_id_number_mismatch() -> None:
    verdict = judge_identity(AN, declared(sex=Sex.FEMALE), record())
    assert verdict.mismatched_fields == ("sex", "id_number")


def test_a_record_whose_own_number_contradicts_it_is_an_id_number_mismatch() -> None:
    odd = record(birth_date=date(1986, 5, 4))
    verdict = judge_identity(AN, declared(birth_date=date(1986, 5, 4)), odd)
    assert verdict.mismatched_fields == ("id_number",)


def test_every_differing_field_is_named() -> None:
    wrong = declared(full_name="Lê Thị Hoa", birth_date=date(1990, 1, 1), sex=Sex.FEMALE)
    verdict = judge_identity(AN, wrong, record())
    assert verdict.mismatched_fields == ("full_name", "birth_date", "sex", "id_number")


def test_no_record_is_not_found() -> None:
    verdict = judge_identity(AN, declared(), None)
    assert verdict.result is IdentityResult.NOT_FOUND
    assert verdict.detail


def test_a_deceased_record_answers_deceased_even_when_the_fields_match() -> None:
    verdict = judge_identity(AN, declared(), record(alive=False))
    assert verdict.result is IdentityResult.DECEASED


@pytest.mark.parametrize(
    "number", ["", "12345", "00108701234x", "999087012345", "001987012345", "0010870123456"]
)
def test_a_number_that_does_not_parse_is_malformed(number: str) -> None:
    assert not is_well_formed(number)
    verdict = judge_identity(number, declared(id_number=None), record())
    assert verdict.result is IdentityResult.MALFORMED_ID
    assert verdict.mismatched_fields == ()


def test_a_well_formed_number_is_recognised() -> None:
    assert is_well_formed(AN)


def test_details_do_not_repeat_the_id_number() -> None:
    for number, found in ((AN, record()), (AN, None), ("00108701234x", None)):
        assert number not in judge_identity(number, declared(sex=Sex.FEMALE), found).detail


# -- the answer published --------------------------------------------------------------


def _request(person: DeclaredPerson) -> IdentityCheckRequested:
    return IdentityCheckRequested(
        check_id="dossier-9:applicant",
        requester_kind=RequesterKind.DOSSIER,
        requester_id="dossier-9",
        id_number=AN,
        person=person,
    )


def test_the_answer_to_a_check_repeats_the_request_and_carries_the_verdict() -> None:
    answer = identity_check_completed(_request(declared(full_name="Lê Văn Khác")), record())
    assert answer.topic == "identity.check.completed"
    assert answer.subject == "dossier-9"
    assert (answer.simtime, answer.correlation_id) == (None, None)  # the request's own
    assert answer.payload == IdentityCheckCompleted(
        check_id="dossier-9:applicant",
        requester_kind=RequesterKind.DOSSIER,
        requester_id="dossier-9",
        role=PersonRole.APPLICANT,
        result=IdentityResult.MISMATCH,
        mismatched_fields=["full_name"],
        detail="The declared full_name differ from the population record.",
        record=record(),
    )


def test_the_answer_to_a_check_of_an_unknown_number_carries_no_record() -> None:
    answer = identity_check_completed(_request(declared()), None)
    assert isinstance(answer.payload, IdentityCheckCompleted)
    assert answer.payload.result is IdentityResult.NOT_FOUND
    assert answer.payload.record is None
