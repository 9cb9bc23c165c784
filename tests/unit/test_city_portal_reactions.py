"""What the city portal publishes for what happens to a dossier or an account (pure, no store)."""

from __future__ import annotations

from datetime import timedelta

from contracts.catalogue import load_catalogue
from contracts.events import (
    AccountKind,
    AccountRegistered,
    AccountStatus,
    DossierRouted,
    DossierSettled,
    DossierStatusChanged,
    IdentityCheckCompleted,
    IdentityResult,
    RequesterKind,
)
from contracts.people import PersonRole
from contracts.worktime import next_office_moment
from services.city_portal.accounts import account_checked, registration
from services.city_portal.civil_status import MarriagePolicy
from services.city_portal.domain import (
    ACCOUNT_REFUSED,
    CheckResult,
    Reaction,
    checks_answered,
    receive_dossier,
)
from services.kit.settlement import document_number
from tests.factories import SIMTIME, applicant, population_record, submission

CATALOGUE = load_catalogue()
BIRTH, PASSPORT = CATALOGUE.by_number(9), CATALOGUE.by_number(4)
POLICY = MarriagePolicy()
EVENING = SIMTIME.replace(hour=18)
BIRTH_FORM = {"child_full_name": "Lê Minh", "child_sex": "male", "child_birth_date": "2026-02-20"}


def statuses(reaction: Reaction) -> list[str]:
    return [
        t.status.value
        for e in reaction.events
        if isinstance(e.payload, DossierStatusChanged)
        for t in e.payload.transitions
    ]


def matched(role: PersonRole = PersonRole.APPLICANT) -> CheckResult:
    person = applicant()
    record = population_record(person)
    return CheckResult(role, IdentityResult.MATCH, record=record)


def test_a_dossier_with_id_numbers_is_received_and_its_checks_asked() -> None:
    sub = submission(procedure_code=BIRTH.code, form=BIRTH_FORM)
    reaction = receive_dossier(sub, BIRTH, SIMTIME, POLICY)
    assert [e.topic for e in reaction.events] == ["identity.check.requested"]
    assert reaction.awaited_checks == ("applicant",)
    assert reaction.settled is None
    assert {e.simtime or SIMTIME for e in reaction.events} == {SIMTIME}  # the submission's


def test_a_dossier_waiting_for_its_checks_keeps_its_statuses_for_its_next_event() -> None:
    sub = submission(procedure_code=BIRTH.code, form=BIRTH_FORM)
    reaction = receive_dossier(sub, BIRTH, SIMTIME, POLICY)
    kept = [t for e in reaction.kept for t in getattr(e.payload, "transitions", [])]
    assert [(t.status.value, t.simtime) for t in kept] == [
        ("received", SIMTIME),
        ("identity_check", SIMTIME),
    ]
    assert statuses(reaction) == []  # none published now


def test_an_unknown_procedure_is_rejected_on_receipt() -> None:
    reaction = receive_dossier(submission(), None, SIMTIME, POLICY)
    assert statuses(reaction) == ["received", "rejected"]
    assert reaction.settled is not None and reaction.settled.reason_code == "unknown_procedure"
    assert reaction.settled.legal_limit_days is None


def test_a_dossier_held_for_a_refused_account_is_rejected_on_receipt_at_its_own_time() -> None:
    sub = submission()
    reaction = receive_dossier(sub, None, EVENING, POLICY, account_refusal="identity check: x")
    assert statuses(reaction) == ["received", "rejected"]
    assert reaction.awaited_checks == ()
    settled = reaction.settled
    assert settled is not None and settled.reason_code == ACCOUNT_REFUSED
    assert "identity check: x" in (settled.reason_text or "")
    assert settled.settled_simtime == next_office_moment(sub.received_simtime)


def test_a_dossier_settled_before_it_arrived_is_not_settled_again() -> None:
    reaction = receive_dossier(submission(), None, SIMTIME, POLICY, already_settled=True)
    assert statuses(reaction) == ["received"]
    assert reaction.settled is None


def test_a_birth_is_settled_at_the_next_office_moment_with_the_kits_document_number() -> None:
    sub = submission(procedure_code=BIRTH.code, form=BIRTH_FORM)
    reaction = checks_answered(sub, BIRTH, [matched()], EVENING, POLICY)
    settled = reaction.settled
    assert isinstance(settled, DossierSettled)
    assert settled.settled_simtime == next_office_moment(EVENING)
    assert settled.result_document_number == document_number(
        "KS", sub.dossier_id, settled.settled_simtime
    )
    assert [e.topic for e in reaction.events] == ["dossier.settled", "dossier.status.changed"]
    terminal = reaction.events[1].payload
    assert isinstance(terminal, DossierStatusChanged)
    assert terminal.transitions[0].note == settled.result_document_number


def test_a_failed_check_rejects_with_its_reason_in_the_status_note() -> None:
    sub = submission(procedure_code=PASSPORT.code)
    failed = CheckResult(PersonRole.APPLICANT, IdentityResult.NOT_FOUND)
    reaction = checks_answered(sub, PASSPORT, [failed], SIMTIME, POLICY)
    assert reaction.settled is not None and reaction.settled.outcome.value == "rejected"
    terminal = reaction.events[1].payload
    assert isinstance(terminal, DossierStatusChanged)
    assert terminal.transitions[0].note.startswith("identity_not_found: ")


def test_a_procedure_settled_elsewhere_is_routed_with_the_identities() -> None:
    sub = submission(procedure_code=PASSPORT.code)
    reaction = checks_answered(sub, PASSPORT, [matched()], SIMTIME, POLICY)
    assert [e.topic for e in reaction.events] == ["dossier.routed", "dossier.status.changed"]
    routed = reaction.events[0].payload
    assert isinstance(routed, DossierRouted)
    assert (routed.route_to, len(routed.identities)) == (PASSPORT.settled_by, 1)
    status = reaction.events[1].payload
    assert isinstance(status, DossierStatusChanged)
    assert status.transitions[0].note == f"to {PASSPORT.settled_by.value}"


def test_a_citizen_account_waits_for_its_check_and_a_match_activates_it() -> None:
    person = applicant()
    account, event = registration(
        "acc-1", AccountKind.CITIZEN, person, "ref", foreigners_may_register=False
    )
    assert (account.status, event.topic) == (AccountStatus.PENDING, "identity.check.requested")
    answer = IdentityCheckCompleted(
        check_id="acc-1:applicant",
        requester_kind=RequesterKind.ACCOUNT,
        requester_id="acc-1",
        role=PersonRole.APPLICANT,
        result=IdentityResult.MATCH,
    )
    checked = account_checked(account, answer)
    assert checked is not None
    active, registered = checked
    assert active.status == AccountStatus.ACTIVE
    assert isinstance(registered.payload, AccountRegistered)
    assert registered.correlation_id == "acc-1"
    assert account_checked(active, answer) is None  # a redelivered answer changes nothing


def test_a_foreigner_is_refused_or_let_in_by_the_policy() -> None:
    person = applicant(id_number=None, passport_number="C1", nationality="KR")
    refused, _ = registration(
        "acc-2", AccountKind.FOREIGNER, person, None, foreigners_may_register=False
    )
    allowed, event = registration(
        "acc-2", AccountKind.FOREIGNER, person, None, foreigners_may_register=True
    )
    assert (refused.status, refused.reason) == (
        AccountStatus.REFUSED,
        "foreigners cannot register",
    )
    assert (allowed.status, event.topic) == (AccountStatus.ACTIVE, "account.registered")


def test_the_routing_time_is_the_answers_simtime() -> None:
    sub = submission(procedure_code=PASSPORT.code)
    later = SIMTIME + timedelta(hours=1)
    reaction = checks_answered(sub, PASSPORT, [matched()], later, POLICY)
    routed = reaction.events[0].payload
    assert isinstance(routed, DossierRouted) and routed.routed_simtime == later
