"""What a desk publishes about its dossiers (pure), and the ids those events are given."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from contracts.events import (
    DeskQueueChanged,
    DossierSettled,
    DossierStatus,
    DossierStatusChanged,
    Outcome,
)
from contracts.worktime import HANOI_TZ
from services.kit.emitter import EventFactory, derived_event_id
from services.one_stop.domain import (
    SCAN_FAILED,
    SCAN_FAILED_TEXT,
    DeskDossier,
    DeskEventSlot,
    admit,
    departure_event,
    intake_events,
    returned_at_desk,
)
from services.one_stop.schemas import IntakeRequest
from services.one_stop.use_cases import desk_records
from tests.service.test_one_stop_harness import RECEIVED, intake_body
from tests.service.test_one_stop_harness import settlement as service_settlement

MONDAY = datetime.fromisoformat(RECEIVED)
SATURDAY = datetime(2026, 3, 7, 10, 0, tzinfo=HANOI_TZ)


def request(**overrides: Any) -> IntakeRequest:
    return IntakeRequest.model_validate(intake_body(**overrides))


def taken_in(scan_failure_rate: float, **overrides: Any) -> tuple[DeskDossier, IntakeRequest]:
    intake = request(**overrides)
    dossier = admit(
        "dossier-1",
        "00101",
        intake,
        sequence=6000,
        desk_free_at=None,
        capacity_per_day=9,
        scan_failure_rate=scan_failure_rate,
    )
    return dossier, intake


def settlement(dossier: DeskDossier, **overrides: Any) -> DossierSettled:
    accepted = {
        name: getattr(dossier, name) for name in ("dossier_id", "dossier_code", "unit_code")
    }
    return service_settlement(accepted, **overrides)


def test_admitting_a_dossier_gives_its_code_and_digitisation_slot() -> None:
    dossier, _ = taken_in(0.0)
    assert dossier.dossier_code == "00101-260302-6000"
    assert (dossier.slot.received, dossier.slot.done) == (MONDAY, MONDAY + timedelta(hours=1))
    assert not dossier.scan_failed


def test_a_digitised_dossier_is_announced_then_submitted_in_a_fixed_order() -> None:
    dossier, intake = taken_in(0.0)
    events = intake_events(dossier, intake, 3, 5)
    assert [(e.slot, e.event.topic) for e in events] == [
        (DeskEventSlot.INTAKE, "desk.dossier.received"),
        (DeskEventSlot.RECEIVED, "dossier.status.changed"),
        (DeskEventSlot.ARRIVAL, "desk.queue.changed"),
        (DeskEventSlot.OUTCOME, "dossier.submitted"),
    ]
    assert [e.event.simtime for e in events] == [MONDAY] * 3 + [dossier.slot.done]
    assert {e.event.correlation_id for e in events} == {"dossier-1"}
    assert [e.event.subject for e in events] == ["dossier-1"] * 2 + ["00101", "dossier-1"]
    assert events[2].event.payload == DeskQueueChanged(
        unit_code="00101", queue_length=3, dossier_id="dossier-1"
    )


def test_a_desk_dossier_s_received_and_digitising_travel_in_one_status_event() -> None:
    dossier, intake = taken_in(0.0)
    status = intake_events(dossier, intake, 3, 5)[1].event.payload
    assert isinstance(status, DossierStatusChanged)
    assert [(t.status, t.by, t.simtime) for t in status.transitions] == [
        (DossierStatus.RECEIVED, "one_stop", MONDAY),
        (DossierStatus.DIGITISING, "one_stop", MONDAY),
    ]


def test_a_failed_scan_is_settled_by_the_desk_its_settlement_carrying_every_status() -> None:
    dossier, intake = taken_in(1.0)
    *_, settled = intake_events(dossier, intake, 1, 5)
    assert settled.slot == DeskEventSlot.OUTCOME
    payload = settled.event.payload
    assert isinstance(payload, DossierSettled)
    assert [(t.status, t.simtime) for t in payload.transitions] == [
        (DossierStatus.RECEIVED, MONDAY),
        (DossierStatus.DIGITISING, MONDAY),
        (DossierStatus.REJECTED, dossier.slot.done),
    ]
    assert payload.transitions[-1].note == SCAN_FAILED_TEXT
    assert (payload.outcome, payload.settled_by) == (Outcome.REJECTED, "one_stop")
    assert (payload.reason_code, payload.reason_text) == (SCAN_FAILED, SCAN_FAILED_TEXT)
    assert payload.result_document_number is None
    assert (payload.settled_simtime, payload.working_days_taken) == (dossier.slot.done, 0.111111)
    assert (payload.legal_limit_days, payload.within_legal_limit) == (5, True)


def test_a_same_day_procedure_handed_in_on_saturday_and_rejected_on_monday_is_on_time() -> None:
    dossier, intake = taken_in(1.0, procedure_code="1.000894", received_simtime=SATURDAY)
    payload = intake_events(dossier, intake, 1, 0)[-1].event.payload
    assert isinstance(payload, DossierSettled)
    assert payload.settled_simtime.weekday() == 0
    assert payload.within_legal_limit is True


def test_a_departure_is_about_the_desks_unit_at_the_end_of_digitisation() -> None:
    dossier, _ = taken_in(0.0)
    departure = departure_event(dossier, 0)
    assert departure.slot is DeskEventSlot.DEPARTURE
    assert (departure.event.subject, departure.event.simtime) == ("00101", dossier.slot.done)


def test_a_settlement_is_returned_once_and_only_for_a_desk_dossier() -> None:
    dossier, _ = taken_in(0.0)
    settled = settlement(dossier)
    returned = returned_at_desk(dossier, settled)
    assert returned is not None
    assert (returned.topic, returned.simtime, returned.subject) == (
        "dossier.status.changed",
        settled.settled_simtime,
        "dossier-1",
    )
    assert returned.correlation_id is None  # the settlement's own
    assert returned_at_desk(None, settled) is None
    assert returned_at_desk(DeskDossier(**{**vars(dossier), "returned": True}), settled) is None


def test_a_long_rejection_reason_is_cut_to_the_status_notes_limit() -> None:
    dossier, _ = taken_in(0.0)
    rejected = settlement(
        dossier,
        outcome=Outcome.REJECTED,
        result_document_number=None,
        reason_code="identity_mismatch",
        reason_text="x" * 600,
    )
    returned = returned_at_desk(dossier, rejected)
    assert returned is not None
    assert isinstance(returned.payload, DossierStatusChanged)
    assert len(returned.payload.transitions[0].note) == 500
    assert returned.payload.transitions[0].note.startswith("rejected [identity_mismatch]: xxx")


def test_desk_events_get_ids_fixed_by_their_dossier_and_place_however_often_rebuilt() -> None:
    factory = EventFactory("one_stop")
    dossier, intake = taken_in(1.0)
    first = desk_records(factory, intake_events(dossier, intake, 1, 5))
    again = desk_records(factory, intake_events(dossier, intake, 1, 5))
    ids = [json.loads(record.value)["id"] for record in first]
    assert ids == [json.loads(record.value)["id"] for record in again]
    slots = [DeskEventSlot.INTAKE, DeskEventSlot.ARRIVAL, DeskEventSlot.OUTCOME]
    assert ids == [derived_event_id("dossier-1", slot, "one_stop") for slot in slots]
    assert {json.loads(record.value)["correlationid"] for record in first} == {"dossier-1"}
