"""The portal adapters of the national portal: each rule, determinism, shares."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from contracts.catalogue import Portal, load_catalogue
from contracts.events import DossierRouted, Outcome
from contracts.people import MaritalStatus, PersonFacts, PersonRole, Sex
from contracts.worktime import HANOI_TZ, add_working_days, working_days_between
from services.national_portal.ministries import ADAPTERS, build_adapters
from services.national_portal.ministries.base import Adapter
from tests.factories import SIMTIME, applicant, submission

CATALOGUE = load_catalogue()
NS = uuid.UUID("3d8e5f7a-2b1c-4e9d-8f6a-1c2b3d4e5f60")


def dossier_id(i: int | str) -> str:
    return str(uuid.uuid5(NS, f"adapter-test/{i}"))


def routed(number: int, *, i: int | str = 0, **overrides: Any) -> DossierRouted:
    procedure = CATALOGUE.by_number(number)
    routed_at: datetime = overrides.pop("routed_at", SIMTIME)
    values: dict[str, Any] = {
        "dossier_id": dossier_id(i),
        "procedure_code": procedure.code,
        "received_simtime": routed_at,
    }
    identities = overrides.pop("identities", [])
    values.update(overrides)
    sub = submission(**values)
    return DossierRouted(
        dossier_id=sub.dossier_id,
        route_to=procedure.settled_by,
        submission=sub,
        identities=identities,
        routed_simtime=routed_at,
    )


def adapter_for(number: int, rejection_rate: float = 0.0, late_rate: float = 0.0) -> Adapter:
    adapter = ADAPTERS[CATALOGUE.by_number(number).settled_by]
    return replace(adapter, rejection_rate=rejection_rate, late_rate=late_rate)


def decide(number: int, **overrides: Any) -> Any:
    rates = {k: overrides.pop(k) for k in ("rejection_rate", "late_rate") if k in overrides}
    return adapter_for(number, **rates).decide(
        routed(number, **overrides), CATALOGUE.by_number(number)
    )


def test_every_portal_but_the_city_portal_has_an_adapter() -> None:
    assert set(ADAPTERS) == set(Portal) - {Portal.CITY_PORTAL}
    assert all(adapter.portal is portal for portal, adapter in ADAPTERS.items())


def test_build_adapters_applies_the_scenario_rates() -> None:
    adapters = build_adapters(rejection_rate=0.5, late_rate=0.25)
    assert {a.rejection_rate for a in adapters.values()} == {0.5}
    assert {a.late_rate for a in adapters.values()} == {0.25}


def test_id_card_for_an_applicant_under_14_is_rejected_under_age() -> None:
    decision = decide(2, persons=[applicant(birth_date=date(2013, 3, 3))])
    assert decision.outcome is Outcome.REJECTED
    assert decision.reason_code == "under_age"
    assert "12" in (decision.reason_text or "")


def test_id_card_for_an_applicant_who_just_turned_14_is_approved() -> None:
    decision = decide(2, persons=[applicant(birth_date=date(2012, 3, 2))])
    assert decision.outcome is Outcome.APPROVED
    assert decision.result_document_prefix == "CCCD"


def test_applicant_age_is_taken_from_the_population_record() -> None:
    record = PersonFacts(
        id_number="001087012345",
        full_name="Nguyễn Văn An",
        birth_date=date(2015, 1, 1),
        sex=Sex.MALE,
        alive=True,
        marital_status=MaritalStatus.SINGLE,
        residence_unit="00101",
    )
    decision = decide(2, identities=[record])
    assert decision.reason_code == "under_age"


def test_passport_is_issued_after_exactly_five_working_days() -> None:
    for i in range(20):
        decision = decide(12, i=i)
        assert decision.outcome is Outcome.APPROVED
        assert decision.days == 5.0
        assert decision.result_document_prefix == "HC"


def test_passport_counts_the_five_days_from_receipt() -> None:
    received = SIMTIME - timedelta(days=1)
    decision = decide(12, received_simtime=received)
    settled = add_working_days(SIMTIME, decision.days)
    assert working_days_between(received, settled) == pytest.approx(5.0, abs=0.001)


@pytest.mark.parametrize("number", [5, 6])
@pytest.mark.parametrize("hour", [8, 12, 16])
def test_stay_notification_and_temporary_absence_settle_the_same_day(
    number: int, hour: int
) -> None:
    routed_at = SIMTIME.replace(hour=hour, minute=50)
    for i in range(30):
        decision = decide(number, i=i, routed_at=routed_at)
        settled = add_working_days(routed_at, decision.days)
        assert settled.astimezone(HANOI_TZ).date() == routed_at.date()


def test_the_same_dossier_id_gives_the_same_decision() -> None:
    for number in (1, 2, 3, 4, 12, 17, 18, 19, 20, 21, 22, 23, 24, 25):
        adapter = replace(ADAPTERS[CATALOGUE.by_number(number).settled_by], rejection_rate=0.3)
        procedure = CATALOGUE.by_number(number)
        first = adapter.decide(routed(number, i=7), procedure)
        again = adapter.decide(routed(number, i=7), procedure)
        assert first == again


def test_different_dossier_ids_give_different_processing_times() -> None:
    days = {decide(4, i=i).days for i in range(50)}
    assert len(days) > 40


def test_about_95_percent_of_dossiers_settle_within_the_legal_limit() -> None:
    adapter = replace(ADAPTERS[Portal.MINISTRY_PUBLIC_SECURITY], rejection_rate=0.0)
    procedure = CATALOGUE.by_number(4)
    limit = procedure.legal_time_limit_days
    assert limit is not None
    within = 0
    for i in range(2000):
        decision = adapter.decide(routed(4, i=i), procedure)
        taken = working_days_between(SIMTIME, add_working_days(SIMTIME, decision.days))
        within += taken <= limit
    assert 0.92 <= within / 2000 <= 0.98


def test_late_dossiers_settle_after_the_legal_limit() -> None:
    for i in range(50):
        decision = decide(3, i=i, late_rate=1.0, form={"new_residence_unit": "00101"})
        assert decision.days > 7


def test_the_incomplete_documents_share_follows_the_rejection_rate() -> None:
    adapter = replace(ADAPTERS[Portal.MINISTRY_TAX], rejection_rate=0.03)
    procedure = CATALOGUE.by_number(18)
    outcomes = [adapter.decide(routed(18, i=i), procedure) for i in range(4000)]
    rejected = [d for d in outcomes if d.outcome is Outcome.REJECTED]
    assert 0.02 <= len(rejected) / 4000 <= 0.04
    assert {d.reason_code for d in rejected} == {"incomplete_documents"}
    assert all("hồ sơ chưa đầy đủ" in (d.reason_text or "").lower() for d in rejected)


def test_a_rejected_dossier_is_answered_within_one_working_day() -> None:
    for i in range(20):
        decision = decide(22, i=i, rejection_rate=1.0)
        assert decision.outcome is Outcome.REJECTED
        assert decision.result_document_prefix is None
        assert 0 < decision.days <= 1.0


def test_criminal_record_certificate_takes_at_most_ten_working_days() -> None:
    days = [decide(22, i=i).days for i in range(200)]
    assert all(5.0 <= d <= 10.0 for d in days)
    assert decide(22).result_document_prefix == "LLTP"


def test_procedures_without_a_limit_draw_from_the_adapter_range() -> None:
    unemployment = [decide(23, i=i).days for i in range(100)]
    assert all(10.0 <= d <= 20.0 for d in unemployment)
    connection = [decide(24, i=i).days for i in range(100)]
    assert all(2.0 <= d <= 7.0 for d in connection)


def test_driving_licence_needs_an_applicant_of_18() -> None:
    young = decide(20, persons=[applicant(birth_date=date(2009, 1, 1))])
    adult = decide(20, persons=[applicant(birth_date=date(2000, 1, 1))])
    assert young.reason_code == "under_age"
    assert adult.outcome is Outcome.APPROVED
    assert adult.result_document_prefix == "GPLX"


def test_permanent_residence_without_a_new_unit_is_rejected_form_invalid() -> None:
    decision = decide(3)
    assert decision.outcome is Outcome.REJECTED
    assert decision.reason_code == "form_invalid"


def test_a_linked_step_is_processed_within_the_linked_range() -> None:
    parent = str(uuid.uuid4())
    form = {"new_residence_unit": "00101"}
    days = [decide(3, i=i, parent_dossier_id=parent, form=form).days for i in range(50)]
    assert all(0.3 <= d <= 1.2 for d in days)


def _child_card(birth: date) -> Any:
    group = CATALOGUE.by_number(15)
    procedure = group.model_copy(update={"linked_steps": (), "legal_time_limit_days": None})
    child = applicant(role=PersonRole.CHILD, birth_date=birth, id_number=None)
    dossier = routed(15, persons=[applicant(), child], parent_dossier_id=str(uuid.uuid4()))
    adapter = replace(ADAPTERS[Portal.MINISTRY_SOCIAL_INSURANCE], rejection_rate=0.0)
    return adapter.decide(dossier, procedure)


def test_child_health_insurance_card_is_issued_for_a_newborn() -> None:
    decision = _child_card(date(2026, 2, 20))
    assert decision.outcome is Outcome.APPROVED
    assert decision.result_document_prefix == "BHYTTE"


def test_child_health_insurance_card_is_refused_for_a_child_of_six() -> None:
    decision = _child_card(date(2020, 1, 1))
    assert decision.reason_code == "not_eligible"
