"""The city portal's rules (docs/design.md, "Rules the services apply"), one behaviour each."""

from __future__ import annotations

from datetime import date, datetime

from contracts.catalogue import load_catalogue
from contracts.events import BirthChange, DeathChange, IdentityResult, MarriageChange, Outcome
from contracts.people import MaritalStatus, PersonFacts, PersonRole, Sex
from contracts.worktime import HANOI_TZ
from services.city_portal.civil_status import MarriagePolicy, age_on
from services.city_portal.domain import CheckResult, decide_city_procedure, identity_verdict
from tests.factories import submission

CATALOGUE = load_catalogue()
BIRTH, DEATH, MARRIAGE = (CATALOGUE.by_number(n) for n in (9, 10, 11))
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=HANOI_TZ)
POLICY = MarriagePolicy()


def person(
    id_number: str,
    sex: Sex,
    born: date,
    marital: MaritalStatus = MaritalStatus.SINGLE,
    alive: bool = True,
) -> PersonFacts:
    return PersonFacts(
        id_number=id_number,
        full_name="Trần Thị Bình",
        birth_date=born,
        sex=sex,
        alive=alive,
        marital_status=marital,
        residence_unit="00101",
    )


MAN = person("001090000001", Sex.MALE, date(1990, 1, 1))
WOMAN = person("001192000002", Sex.FEMALE, date(1992, 1, 1))


def test_all_matching_checks_allow_going_on() -> None:
    checks = [CheckResult(PersonRole.APPLICANT, IdentityResult.MATCH)]
    assert identity_verdict(MARRIAGE, checks) is None


def test_a_mismatch_rejects_naming_the_role_and_fields() -> None:
    checks = [
        CheckResult(PersonRole.APPLICANT, IdentityResult.MATCH),
        CheckResult(PersonRole.SPOUSE, IdentityResult.MISMATCH, ("full_name", "birth_date")),
    ]
    verdict = identity_verdict(MARRIAGE, checks)
    assert verdict is not None and verdict.reason_code == "identity_mismatch"
    assert "full_name, birth_date" in (verdict.reason_text or "")
    assert "spouse" in (verdict.reason_text or "")


def test_a_deceased_applicant_cannot_apply() -> None:
    verdict = identity_verdict(BIRTH, [CheckResult(PersonRole.APPLICANT, IdentityResult.DECEASED)])
    assert verdict is not None and verdict.reason_code == "person_deceased"


def test_a_death_can_be_registered_only_once() -> None:
    checks = [
        CheckResult(PersonRole.APPLICANT, IdentityResult.MATCH),
        CheckResult(PersonRole.DECEASED, IdentityResult.DECEASED),
    ]
    verdict = identity_verdict(DEATH, checks)
    assert verdict is not None and verdict.reason_code == "death_already_registered"


def test_an_unknown_id_number_is_rejected_as_not_found() -> None:
    verdict = identity_verdict(BIRTH, [CheckResult(PersonRole.APPLICANT, IdentityResult.NOT_FOUND)])
    assert verdict is not None and verdict.reason_code == "identity_not_found"


def test_marriage_of_an_unmarried_man_and_woman_of_age_is_approved() -> None:
    records = {PersonRole.APPLICANT: MAN, PersonRole.SPOUSE: WOMAN}
    decision = decide_city_procedure(MARRIAGE, submission(), records, NOW, POLICY)
    assert decision.outcome == Outcome.APPROVED
    assert decision.civil_status_change == MarriageChange(
        id_numbers=(MAN.id_number, WOMAN.id_number)
    )


def test_marriage_where_one_party_is_already_married_is_rejected() -> None:
    married = person("001192000003", Sex.FEMALE, date(1992, 1, 1), MaritalStatus.MARRIED)
    records = {PersonRole.APPLICANT: MAN, PersonRole.SPOUSE: married}
    decision = decide_city_procedure(MARRIAGE, submission(), records, NOW, POLICY)
    assert decision.reason_code == "already_married"
    assert "spouse" in (decision.reason_text or "")


def test_marriage_of_a_man_under_twenty_is_rejected() -> None:
    young = person("001207000004", Sex.MALE, date(2007, 1, 1))
    records = {PersonRole.APPLICANT: young, PersonRole.SPOUSE: WOMAN}
    decision = decide_city_procedure(MARRIAGE, submission(), records, NOW, POLICY)
    assert decision.reason_code == "under_marriage_age"


def test_marriage_age_limits_are_a_policy() -> None:
    young = person("001207000004", Sex.MALE, date(2007, 1, 1))
    records = {PersonRole.APPLICANT: young, PersonRole.SPOUSE: WOMAN}
    decision = decide_city_procedure(
        MARRIAGE, submission(), records, NOW, MarriagePolicy(min_age_male=18)
    )
    assert decision.outcome == Outcome.APPROVED


def test_marriage_of_a_woman_of_eighteen_is_approved() -> None:
    eighteen = person("001308000005", Sex.FEMALE, date(2008, 3, 2))
    records = {PersonRole.APPLICANT: MAN, PersonRole.SPOUSE: eighteen}
    decision = decide_city_procedure(MARRIAGE, submission(), records, NOW, POLICY)
    assert decision.outcome == Outcome.APPROVED


def test_a_birth_creates_a_person_in_the_parents_residence() -> None:
    form = {"child_full_name": "Lê Minh", "child_sex": "male", "child_birth_date": "2026-02-20"}
    records = {PersonRole.FATHER: MAN, PersonRole.MOTHER: WOMAN}
    decision = decide_city_procedure(BIRTH, submission(form=form), records, NOW, POLICY)
    assert isinstance(decision.civil_status_change, BirthChange)
    assert decision.civil_status_change.residence_unit == WOMAN.residence_unit
    assert decision.civil_status_change.father_id_number == MAN.id_number


def test_a_birth_in_the_future_is_refused_naming_the_form_field() -> None:
    form = {"child_full_name": "Lê Minh", "child_sex": "male", "child_birth_date": "2027-01-01"}
    decision = decide_city_procedure(BIRTH, submission(form=form), {}, NOW, POLICY)
    assert decision.reason_code == "form_invalid"
    assert "child_birth_date" in (decision.reason_text or "")


def test_a_death_marks_the_deceased_person() -> None:
    form = {"date_of_death": "2026-02-28"}
    records = {PersonRole.DECEASED: MAN}
    decision = decide_city_procedure(DEATH, submission(form=form), records, NOW, POLICY)
    assert decision.civil_status_change == DeathChange(
        id_number=MAN.id_number, date_of_death=date(2026, 2, 28)
    )


def test_age_counts_whole_years() -> None:
    assert age_on(date(2006, 3, 3), date(2026, 3, 2)) == 19
    assert age_on(date(2006, 3, 2), date(2026, 3, 2)) == 20
