"""Settling a routed dossier on the national portal: events, times, civil-status changes."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from contracts.catalogue import Portal, load_catalogue
from contracts.events import (
    BirthChange,
    DossierRouted,
    DossierSettled,
    DossierStatus,
    DossierStatusChanged,
    Outcome,
    ResidenceChange,
)
from contracts.people import PersonRole
from contracts.worktime import add_working_days, working_days_between
from services.kit.settlement import document_number
from services.national_portal.civil_status import FormInvalidError, civil_status_change
from services.national_portal.domain import settle_routed
from services.national_portal.ministries import ADAPTERS
from tests.factories import SIMTIME, applicant, submission

CATALOGUE = load_catalogue()
CHILD_ID = "001226000123"


def routed(number: int, **overrides: Any) -> DossierRouted:
    procedure = CATALOGUE.by_number(number)
    route_to = overrides.pop("route_to", procedure.settled_by)
    values: dict[str, Any] = {"procedure_code": procedure.code}
    values.update(overrides)
    sub = submission(**values)
    return DossierRouted(
        dossier_id=sub.dossier_id, route_to=route_to, submission=sub, routed_simtime=SIMTIME
    )


def settle(number: int, rejection_rate: float = 0.0, **overrides: Any) -> Any:
    dossier = routed(number, **overrides)
    adapter = replace(ADAPTERS[dossier.route_to], rejection_rate=rejection_rate, late_rate=0.0)
    return settle_routed(dossier, CATALOGUE.by_number(number), adapter)


def test_a_settled_dossier_publishes_processing_settled_and_its_terminal_status() -> None:
    settled, events = settle(4)
    assert [e.topic for e in events] == [
        "dossier.status.changed",
        "dossier.settled",
        "dossier.status.changed",
    ]
    processing, _, terminal = (e.payload for e in events)
    assert isinstance(processing, DossierStatusChanged)
    assert isinstance(terminal, DossierStatusChanged)
    assert processing.transitions[0].status is DossierStatus.PROCESSING
    assert terminal.transitions[0].status is DossierStatus.APPROVED
    assert processing.transitions[0].by == terminal.transitions[0].by == "ministry.public_security"
    assert events[0].simtime == SIMTIME
    assert events[1].simtime == events[2].simtime == settled.settled_simtime


def test_the_settlement_carries_times_counted_in_working_days() -> None:
    settled, _ = settle(4)
    assert settled.settled_by is Portal.MINISTRY_PUBLIC_SECURITY
    assert settled.received_simtime == SIMTIME
    assert settled.working_days_taken == working_days_between(SIMTIME, settled.settled_simtime)
    assert settled.legal_limit_days == 3
    assert settled.within_legal_limit is True


def test_settled_time_is_the_routing_time_plus_the_adapters_days() -> None:
    dossier = routed(22)
    adapter = replace(ADAPTERS[Portal.MINISTRY_JUSTICE], rejection_rate=0.0)
    decision = adapter.decide(dossier, CATALOGUE.by_number(22))
    settled, _ = settle_routed(dossier, CATALOGUE.by_number(22), adapter)
    assert settled.settled_simtime == add_working_days(SIMTIME, decision.days)
    assert settled.within_legal_limit is None


def test_an_approved_dossier_gets_a_result_document_number() -> None:
    settled, _ = settle(12)
    assert re.fullmatch(r"HC-2026-[0-9]{6}", settled.result_document_number or "")
    assert settled.reason_code is None


def test_the_result_document_number_is_the_kits_for_the_dossier_and_its_settlement() -> None:
    settled, _ = settle(12)
    expected = document_number("HC", settled.dossier_id, settled.settled_simtime)
    assert settled.result_document_number == expected


def test_a_rejected_dossier_has_a_reason_and_no_document() -> None:
    settled, events = settle(18, rejection_rate=1.0)
    assert settled.outcome is Outcome.REJECTED
    assert settled.result_document_number is None
    assert settled.reason_code == "incomplete_documents"
    assert events[-1].payload.transitions[0].status is DossierStatus.REJECTED
    assert "incomplete_documents" in events[-1].payload.transitions[0].note


def test_permanent_residence_moves_the_applicant() -> None:
    settled, _ = settle(3, form={"new_residence_unit": "00502"})
    assert settled.outcome is Outcome.APPROVED
    assert settled.civil_status_change == ResidenceChange(
        id_number="001087012345", new_residence_unit="00502"
    )


def test_permanent_residence_of_a_linked_step_moves_the_child() -> None:
    child = applicant(role=PersonRole.CHILD, id_number=CHILD_ID, birth_date=date(2026, 2, 1))
    settled, _ = settle(
        3,
        persons=[applicant(), child],
        form={"new_residence_unit": "00502"},
        parent_dossier_id=str(uuid.uuid4()),
    )
    assert isinstance(settled.civil_status_change, ResidenceChange)
    assert settled.civil_status_change.id_number == CHILD_ID
    assert settled.parent_dossier_id is not None


@pytest.mark.parametrize("unit", [None, "", "99999", 101])
def test_permanent_residence_with_a_missing_or_unknown_unit_is_rejected(unit: Any) -> None:
    settled, _ = settle(3, form={"new_residence_unit": unit})
    assert settled.outcome is Outcome.REJECTED
    assert settled.reason_code == "form_invalid"
    assert settled.civil_status_change is None


def test_a_rejected_permanent_residence_has_no_civil_status_change() -> None:
    settled, _ = settle(3, rejection_rate=1.0, form={"new_residence_unit": "00502"})
    assert settled.civil_status_change is None


def test_a_procedure_without_civil_status_effect_changes_nothing() -> None:
    settled, _ = settle(19)
    assert settled.settled_by is Portal.NATIONAL_PORTAL
    assert settled.civil_status_change is None


def test_birth_registration_routed_here_by_a_scenario_gives_a_birth_change() -> None:
    form = {
        "child_full_name": "Nguyễn Văn Bình",
        "child_sex": "male",
        "child_birth_date": "2026-02-20",
        "residence_unit": "00101",
    }
    sub = routed(9, form=form).submission
    change = civil_status_change(sub, CATALOGUE.by_number(9))
    assert isinstance(change, BirthChange)
    assert change.birth_date == date(2026, 2, 20)


def test_death_registration_without_the_deceased_is_form_invalid() -> None:
    sub = routed(10, form={"date_of_death": "2026-03-01"}).submission
    with pytest.raises(FormInvalidError, match="deceased"):
        civil_status_change(sub, CATALOGUE.by_number(10))


def test_settlements_of_the_same_dossier_are_identical() -> None:
    dossier = routed(4)
    adapter = ADAPTERS[Portal.MINISTRY_PUBLIC_SECURITY]
    first, _ = settle_routed(dossier, CATALOGUE.by_number(4), adapter)
    again, _ = settle_routed(dossier, CATALOGUE.by_number(4), adapter)
    assert isinstance(first, DossierSettled)
    assert first == again
