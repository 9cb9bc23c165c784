"""Carrying out a linked group's actions: published events, steps settled by adapters here."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from contracts.catalogue import Portal, load_catalogue
from contracts.dossier_codes import format_dossier_code
from contracts.dossier_ids import step_dossier_id
from contracts.events import (
    Channel,
    DossierRouted,
    DossierSettled,
    DossierStatus,
    DossierStatusChanged,
    DossierSubmitted,
    Outcome,
)
from contracts.people import PersonRole
from services.national_portal.linked import transitions as linked
from services.national_portal.linked.orchestrator import MissingAdapterError, carry_out
from services.national_portal.linked.state import StepStatus
from services.national_portal.ministries import ADAPTERS
from tests.factories import SIMTIME, applicant, submission

CATALOGUE = load_catalogue()
ALWAYS = {p: replace(a, rejection_rate=0.0) for p, a in ADAPTERS.items()}
NEVER = {p: replace(a, rejection_rate=1.0) for p, a in ADAPTERS.items()}


class Codes:
    """A fake allocator counting from 9000 per unit and day."""

    def __init__(self) -> None:
        self.last: dict[tuple[str, date], int] = {}

    def __call__(self, unit: str, day: date) -> str:
        self.last[(unit, day)] = self.last.get((unit, day), 8999) + 1
        return format_dossier_code(unit, day, self.last[(unit, day)])


def death_group() -> DossierRouted:
    persons = [applicant(), applicant(role=PersonRole.DECEASED, id_number="001040000111")]
    sub = submission(
        procedure_code=CATALOGUE.by_number(16).code,
        persons=persons,
        form={"date_of_death": "2026-02-28"},
    )
    return DossierRouted(
        dossier_id=sub.dossier_id,
        route_to=Portal.NATIONAL_PORTAL,
        submission=sub,
        routed_simtime=SIMTIME,
    )


def death_settled(routed: DossierRouted, code: str, **kw: Any) -> DossierSettled:
    values: dict[str, Any] = {
        "dossier_id": step_dossier_id(routed.dossier_id, 0),
        "dossier_code": code,
        "procedure_code": CATALOGUE.by_number(10).code,
        "channel": Channel.LINKED,
        "received_unit": "001",
        "parent_dossier_id": routed.dossier_id,
        "outcome": Outcome.APPROVED,
        "settled_by": Portal.CITY_PORTAL,
        "result_document_number": "KT-2026-000001",
        "received_simtime": SIMTIME,
        "settled_simtime": SIMTIME + timedelta(minutes=5),
        "working_days_taken": 0.01,
    }
    values.update(kw)
    return DossierSettled(**values)


def started(adapters: Any = ALWAYS) -> tuple[Any, Any, Codes, DossierRouted]:
    codes = Codes()
    routed = death_group()
    begun = linked.start_group(routed, CATALOGUE.by_number(16), CATALOGUE, codes)
    state, events = carry_out(begun, adapters, CATALOGUE, codes)
    return state, events, codes, routed


def test_starting_a_group_publishes_awaiting_steps_then_the_first_step() -> None:
    _, events, _, routed = started()
    assert [e.topic for e in events] == ["dossier.status.changed", "dossier.submitted"]
    assert events[0].payload.transitions[0].status is DossierStatus.AWAITING_STEPS
    assert events[0].payload.transitions[0].by == "national_portal"
    assert isinstance(events[1].payload, DossierSubmitted)
    assert all(e.correlation_id == routed.dossier_id for e in events)
    assert events[1].subject == events[1].payload.dossier_id


def test_death_approved_runs_both_internal_steps_and_approves_the_parent() -> None:
    state, _, codes, routed = started()
    step0 = death_settled(routed, state.steps[0].dossier_code)
    transition = linked.step_settled(state, step0, CATALOGUE, codes)
    state, events = carry_out(transition, ALWAYS, CATALOGUE, codes)
    summary = [
        (
            e.topic,
            getattr(e.payload, "dossier_id", None),
            e.payload.transitions[0].status
            if isinstance(e.payload, DossierStatusChanged)
            else None,
            e.simtime,
        )
        for e in events
    ]
    step1, step2 = state.steps[1].dossier_id, state.steps[2].dossier_id
    assert [(t, d, s) for t, d, s, _ in summary] == [
        ("dossier.status.changed", step1, DossierStatus.PROCESSING),
        ("dossier.settled", step1, None),
        ("dossier.status.changed", step1, DossierStatus.APPROVED),
        ("dossier.status.changed", step2, DossierStatus.PROCESSING),
        ("dossier.settled", step2, None),
        ("dossier.status.changed", step2, DossierStatus.APPROVED),
        ("dossier.settled", routed.dossier_id, None),
        ("dossier.status.changed", routed.dossier_id, DossierStatus.APPROVED),
    ]
    times = [t for *_, t in summary if t is not None]
    assert len(times) == len(summary)
    assert times == sorted(times)
    assert state.outcome is Outcome.APPROVED
    assert all(e.correlation_id == routed.dossier_id for e in events)


def test_an_internal_step_settlement_names_its_adapter_and_parent() -> None:
    state, _, codes, routed = started()
    step0 = death_settled(routed, state.steps[0].dossier_code)
    transition = linked.step_settled(state, step0, CATALOGUE, codes)
    state, events = carry_out(transition, ALWAYS, CATALOGUE, codes)
    deletion, funeral, _ = [e.payload for e in events if isinstance(e.payload, DossierSettled)]
    assert deletion.settled_by is Portal.MINISTRY_PUBLIC_SECURITY
    assert funeral.settled_by is Portal.MINISTRY_LABOUR
    assert deletion.parent_dossier_id == funeral.parent_dossier_id == routed.dossier_id
    assert deletion.procedure_code == routed.submission.procedure_code
    assert deletion.dossier_code == state.steps[1].dossier_code
    assert deletion.dossier_code.endswith("-9001")
    assert (funeral.result_document_number or "").startswith("MTP-")
    first = events[0].payload
    assert isinstance(first, DossierStatusChanged)
    assert first.transitions[0].by == "ministry.public_security"
    assert "Deletion of permanent residence" in first.transitions[0].note


def test_a_rejected_internal_step_rejects_the_parent_with_its_reason() -> None:
    state, _, codes, routed = started(NEVER)
    step0 = death_settled(routed, state.steps[0].dossier_code)
    transition = linked.step_settled(state, step0, CATALOGUE, codes)
    state, events = carry_out(transition, NEVER, CATALOGUE, codes)
    parent = events[-2].payload
    assert isinstance(parent, DossierSettled)
    assert parent.dossier_id == routed.dossier_id
    assert parent.outcome is Outcome.REJECTED
    assert parent.reason_code == "incomplete_documents"
    assert (parent.reason_text or "").startswith("Deletion of permanent residence: Hồ sơ")
    last = events[-1].payload
    assert isinstance(last, DossierStatusChanged)
    assert last.transitions[0].status is DossierStatus.REJECTED
    assert state.steps[2].status is StepStatus.PENDING


def test_a_step_for_a_portal_without_adapter_cannot_be_carried_out() -> None:
    state, _, codes, routed = started()
    step0 = death_settled(routed, state.steps[0].dossier_code)
    transition = linked.step_settled(state, step0, CATALOGUE, codes)
    with pytest.raises(MissingAdapterError):
        carry_out(transition, {}, CATALOGUE, codes)


def test_carrying_out_is_deterministic() -> None:
    state, _, _, routed = started()
    step0 = death_settled(routed, state.steps[0].dossier_code)
    first = carry_out(
        linked.step_settled(state, step0, CATALOGUE, Codes()), ALWAYS, CATALOGUE, Codes()
    )
    again = carry_out(
        linked.step_settled(state, step0, CATALOGUE, Codes()), ALWAYS, CATALOGUE, Codes()
    )
    assert first[0] == again[0]
    assert [e.payload for e in first[1]] == [e.payload for e in again[1]]
