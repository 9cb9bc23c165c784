"""What a desk publishes about its dossiers: intake, queue changes, outcome, return.

Pure: each function returns the events (`Outgoing`) and nothing is stored or sent here.
Every event about a desk dossier has a fixed place among that dossier's events
(`DeskEventSlot`), from which its id derives (`derived_event_id(dossier_id, slot,
"one_stop")`), so the events are the same however often they are rebuilt; the one
exception is the ``returned_at_desk`` status, an answer to a settlement whose id
derives from that settlement's event like any handler's follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Literal

from contracts.events import (
    ONE_STOP,
    Channel,
    DeskDossierReceived,
    DeskQueueChanged,
    DossierSettled,
    DossierStatus,
    DossierSubmitted,
    Outcome,
)
from contracts.units import unit_by_code
from services.kit.outgoing import Outgoing
from services.kit.settlement import DossierFacts, Verdict, settle, status_change
from services.kit.status_folding import fold_statuses
from services.one_stop.domain.desk import DeskDossier
from services.one_stop.schemas import IntakeRequest

__all__ = [
    "SCAN_FAILED",
    "SCAN_FAILED_TEXT",
    "DeskEvent",
    "DeskEventSlot",
    "departure_event",
    "intake_events",
    "returned_at_desk",
    "returned_note",
]

SCAN_FAILED = "scan_failed"
SCAN_FAILED_TEXT = "Hồ sơ giấy không số hóa được (scan failed); returned to the citizen"
#: Who settles a dossier whose scan failed (the `settled_by` of its settlement).
_SETTLED_BY: Literal["one_stop"] = "one_stop"


class DeskEventSlot(IntEnum):
    """The place of each event about a desk dossier: the index its event id derives from."""

    RECEIVED = 0  # statuses received and digitising (one event since status version 2;
    # carried by the settlement when the scan failed)
    DIGITISING = 1  # status digitising (alone before status version 2; unused since)
    ARRIVAL = 2  # desk.queue.changed as the dossier joins the queue
    OUTCOME = 3  # dossier.submitted, or dossier.settled when the scan failed
    REJECTED = 4  # status rejected when the scan failed (carried by the settlement since
    # status version 2; unused since)
    DEPARTURE = 5  # desk.queue.changed as the dossier leaves the queue
    INTAKE = 6  # desk.dossier.received, the paper dossier as handed in


@dataclass(frozen=True)
class DeskEvent:
    """An event about a desk dossier, with its place among that dossier's events."""

    dossier_id: str
    slot: DeskEventSlot
    event: Outgoing


def _about(
    dossier: DeskDossier,
    slot: DeskEventSlot,
    topic: str,
    payload: DeskDossierReceived | DeskQueueChanged | DossierSubmitted | DossierSettled,
    at: datetime,
) -> DeskEvent:
    """An event about ``dossier`` at simulated moment ``at``, correlated by the dossier id.

    Its subject is the dossier, except for a queue change: the desk's unit.
    """
    subject = dossier.unit_code if isinstance(payload, DeskQueueChanged) else None
    event = Outgoing(topic, payload, at, dossier.dossier_id, subject)
    return DeskEvent(dossier.dossier_id, slot, event)


def _status(
    dossier: DeskDossier, slot: DeskEventSlot, status: DossierStatus, at: datetime, note: str
) -> DeskEvent:
    """A status change of ``dossier`` by the desk, correlated by the dossier id."""
    event = status_change(
        dossier.dossier_id,
        dossier.dossier_code,
        dossier.procedure_code,
        status,
        ONE_STOP,
        at,
        note=note,
        correlation_id=dossier.dossier_id,
    )
    return DeskEvent(dossier.dossier_id, slot, event)


def intake_events(
    dossier: DeskDossier,
    request: IntakeRequest,
    queue: int,
    legal_limit_days: int | None,
    *,
    reused: list[str] | None = None,
) -> list[DeskEvent]:
    """Everything a desk publishes as it takes ``dossier`` in, in publishing order.

    The paper dossier as handed in; statuses received and digitising (one event) and the
    queue (``queue`` dossiers long with it) at receipt; then, at the end of digitisation,
    the submission, or, when the scan failed, the rejection (the settlement, carrying the
    status ``rejected``; ``legal_limit_days``: the procedure's limit, which the settlement
    reports on).
    """
    slot = dossier.slot
    unit = unit_by_code(dossier.unit_code).name
    waiting = f"{queue} in the queue; digitised by {slot.done.isoformat()}"
    received = DeskDossierReceived(
        dossier_id=dossier.dossier_id,
        dossier_code=dossier.dossier_code,
        unit_code=dossier.unit_code,
        client_ref=request.client_ref,
        procedure_code=dossier.procedure_code,
        persons=[person.declared() for person in request.persons],
        form=request.form,
        received_simtime=request.received_simtime,
        reused_documents=reused or [],
    )
    arrival = DeskQueueChanged(
        unit_code=dossier.unit_code, queue_length=queue, dossier_id=dossier.dossier_id
    )
    return _folded(
        [
            _about(
                dossier,
                DeskEventSlot.INTAKE,
                "desk.dossier.received",
                received,
                request.received_simtime,
            ),
            _status(
                dossier,
                DeskEventSlot.RECEIVED,
                DossierStatus.RECEIVED,
                slot.received,
                f"paper dossier received at the one-stop desk of {unit}",
            ),
            _status(
                dossier,
                DeskEventSlot.DIGITISING,
                DossierStatus.DIGITISING,
                slot.received,
                f"queued for digitisation: {waiting}",
            ),
            _about(dossier, DeskEventSlot.ARRIVAL, "desk.queue.changed", arrival, slot.received),
            *_outcome(dossier, request, legal_limit_days),
        ]
    )


def _folded(events: list[DeskEvent]) -> list[DeskEvent]:
    """The events with each dossier's status changes folded (`fold_statuses`); an event
    keeps the slot of the event that carries the others."""
    folded, carried_by = fold_statuses([e.event for e in events])
    slots: dict[int, DeskEvent] = {}
    for given, carrier in zip(events, carried_by, strict=True):
        if carrier not in slots and given.event.topic == folded[carrier].topic:
            slots[carrier] = given
    return [DeskEvent(slots[k].dossier_id, slots[k].slot, event) for k, event in enumerate(folded)]


def _outcome(
    dossier: DeskDossier, request: IntakeRequest, legal_limit_days: int | None
) -> list[DeskEvent]:
    """The submission of a digitised dossier, or the rejection of one whose scan failed."""
    done = dossier.slot.done
    if not dossier.scan_failed:
        submitted = DossierSubmitted(
            dossier_id=dossier.dossier_id,
            dossier_code=dossier.dossier_code,
            procedure_code=dossier.procedure_code,
            channel=Channel.DESK,
            received_unit=dossier.unit_code,
            persons=[person.declared() for person in request.persons],
            form=request.form,
            received_simtime=request.received_simtime,
            client_ref=request.client_ref,
        )
        return [_about(dossier, DeskEventSlot.OUTCOME, "dossier.submitted", submitted, done)]
    facts = DossierFacts(
        dossier_id=dossier.dossier_id,
        dossier_code=dossier.dossier_code,
        procedure_code=dossier.procedure_code,
        channel=Channel.DESK,
        received_unit=dossier.unit_code,
        received_simtime=request.received_simtime,
    )
    settled = settle(
        facts,
        Verdict.reject(SCAN_FAILED, SCAN_FAILED_TEXT),
        settled_by=_SETTLED_BY,
        settled_at=done,
        legal_limit_days=legal_limit_days,
    )
    # The terminal status travels in the settlement (`_folded`), which comes back to this
    # service's own consumer, which answers it with returned_at_desk.
    return [
        _status(dossier, DeskEventSlot.REJECTED, DossierStatus.REJECTED, done, SCAN_FAILED_TEXT),
        _about(dossier, DeskEventSlot.OUTCOME, "dossier.settled", settled, done),
    ]


def departure_event(dossier: DeskDossier, queue: int) -> DeskEvent:
    """``desk.queue.changed`` as ``dossier`` leaves its desk's queue, ``queue`` long after it."""
    left = DeskQueueChanged(
        unit_code=dossier.unit_code, queue_length=queue, dossier_id=dossier.dossier_id
    )
    return _about(dossier, DeskEventSlot.DEPARTURE, "desk.queue.changed", left, dossier.slot.done)


def returned_at_desk(dossier: DeskDossier | None, settled: DossierSettled) -> Outgoing | None:
    """The status ``returned_at_desk`` that answers a settlement of one of the desks' dossiers.

    None when ``dossier`` (the desk dossier settled, if the desks took it in) is unknown or
    was already returned: a second settlement changes nothing. The status is published at
    the settlement's moment, with the settlement's correlation.
    """
    if dossier is None or dossier.returned:
        return None
    note = returned_note(
        settled.outcome, settled.result_document_number, settled.reason_code, settled.reason_text
    )
    return status_change(
        dossier.dossier_id,
        dossier.dossier_code,
        dossier.procedure_code,
        DossierStatus.RETURNED_AT_DESK,
        ONE_STOP,
        settled.settled_simtime,
        note=note,
    )


def returned_note(
    outcome: Outcome,
    result_document_number: str | None,
    reason_code: str | None,
    reason_text: str | None,
) -> str:
    """The note of a ``returned_at_desk`` status: the outcome and what the citizen gets."""
    if outcome is Outcome.APPROVED:
        document = result_document_number or "no number given"
        return f"approved; result document {document} returned at the desk"
    reason = reason_text or reason_code or "no reason given"
    code = f" [{reason_code}]" if reason_code and reason_text else ""
    return f"rejected{code}: {reason}; dossier returned at the desk"
