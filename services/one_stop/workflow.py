"""What a desk does, on the store worker: take a dossier in, let time pass, hand results back.

Each function reads and writes the store and builds the events to publish; the
caller (HTTP route or Kafka handler) owns the transaction and the publishing.
Event ids of a taken-in dossier derive from its id (``derived_event_id``), so the
events are the same however often they are rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contracts.catalogue import Catalogue
from contracts.dossier_ids import dossier_id_for
from contracts.events import (
    ONE_STOP,
    Channel,
    DeskDossierReceived,
    DeskQueueChanged,
    DossierSettled,
    DossierStatus,
    DossierStatusChanged,
    DossierSubmitted,
    Outcome,
)
from contracts.units import unit_by_code
from contracts.worktime import working_days_between
from services.kit.emitter import EventFactory, derived_event_id
from services.kit.store import OutboxRecord
from services.one_stop.domain import (
    SCAN_FAILED,
    SCAN_FAILED_TEXT,
    desk_dossier_code,
    received_day,
    returned_note,
    scan_fails,
    schedule_digitisation,
    within_legal_limit,
)
from services.one_stop.schemas import IntakeAccepted, IntakeRequest
from services.one_stop.settings import OneStopSettings
from services.one_stop.store import DeskDossier, OneStopStore

__all__ = ["Desks", "Intake"]

# Index n of derived_event_id(dossier_id, n, producer) for each event about a desk dossier.
_RECEIVED, _DIGITISING, _ARRIVAL, _OUTCOME, _REJECTED, _DEPARTURE, _INTAKE = range(7)


@dataclass(frozen=True)
class Intake:
    """The answer to a paper dossier handed in, and the events to publish for it."""

    accepted: IntakeAccepted
    records: list[OutboxRecord]


@dataclass(frozen=True)
class Desks:
    """The desks' behaviour, bound to the service's settings, catalogue and event factory."""

    settings: OneStopSettings
    catalogue: Catalogue
    factory: EventFactory

    # -- intake -----------------------------------------------------------------------
    def take_in(self, store: OneStopStore, unit_code: str, request: IntakeRequest) -> Intake:
        """Queue a paper dossier at a desk; the same client_ref gives the same dossier."""
        dossier_id = dossier_id_for(Channel.DESK, request.client_ref)
        existing = store.dossier(dossier_id)
        if existing is not None:
            return Intake(_accepted(existing), [])
        received = request.received_simtime
        desk = store.desk(unit_code)
        slot = schedule_digitisation(
            received, desk.free_at if desk else None, self.settings.capacity_of(unit_code)
        )
        sequence = store.next_sequence(unit_code, received_day(received))
        dossier = DeskDossier(
            dossier_id=dossier_id,
            client_ref=request.client_ref,
            unit_code=unit_code,
            dossier_code=desk_dossier_code(unit_code, received, sequence),
            procedure_code=request.procedure_code,
            slot=slot,
            scan_failed=scan_fails(dossier_id, self.settings.scan_failure_rate),
        )
        store.insert_dossier(dossier)
        queue = store.queue_length(unit_code, received)
        store.save_desk(unit_code, slot.done, queue, dossier.scan_failed)
        clock = store.advance_clock(received)
        # Departures the receipt passes come first (in simulated order); the new dossier's
        # own departure waits for a later receipt even when it was taken in late.
        records = self.departures(store, clock, keep=dossier.dossier_id)
        records.append(self._intake(dossier, request))
        records += self._arrival(dossier, queue)
        records += self._outcome(dossier, request)
        return Intake(_accepted(dossier), records)

    def _status(
        self, dossier: DeskDossier, n: int, status: DossierStatus, at: datetime, note: str
    ) -> OutboxRecord:
        payload = DossierStatusChanged(
            dossier_id=dossier.dossier_id,
            dossier_code=dossier.dossier_code,
            procedure_code=dossier.procedure_code,
            status=status,
            by=ONE_STOP,
            note=note[:500],
        )
        return self._record(dossier, n, "dossier.status.changed", payload, at)

    def _record(
        self,
        dossier: DeskDossier,
        n: int,
        topic_name: str,
        payload: (
            DossierStatusChanged
            | DeskQueueChanged
            | DeskDossierReceived
            | DossierSubmitted
            | DossierSettled
        ),
        at: datetime,
    ) -> OutboxRecord:
        subject = dossier.unit_code if isinstance(payload, DeskQueueChanged) else None
        return self.factory.record(
            topic_name,
            payload,
            event_id=derived_event_id(dossier.dossier_id, n, "one_stop"),
            correlation_id=dossier.dossier_id,
            simtime=at,
            subject=subject or dossier.dossier_id,
        )

    def _intake(self, dossier: DeskDossier, request: IntakeRequest) -> OutboxRecord:
        """The paper dossier as handed in: the desk's input, on the bus for event logs."""
        received = DeskDossierReceived(
            dossier_id=dossier.dossier_id,
            dossier_code=dossier.dossier_code,
            unit_code=dossier.unit_code,
            client_ref=request.client_ref,
            procedure_code=dossier.procedure_code,
            persons=[person.declared() for person in request.persons],
            form=request.form,
            received_simtime=request.received_simtime,
        )
        return self._record(
            dossier, _INTAKE, "desk.dossier.received", received, request.received_simtime
        )

    def _arrival(self, dossier: DeskDossier, queue: int) -> list[OutboxRecord]:
        slot = dossier.slot
        unit = unit_by_code(dossier.unit_code).name
        waiting = f"{queue} in the queue; digitised by {slot.done.isoformat()}"
        return [
            self._status(
                dossier,
                _RECEIVED,
                DossierStatus.RECEIVED,
                slot.received,
                f"paper dossier received at the one-stop desk of {unit}",
            ),
            self._status(
                dossier,
                _DIGITISING,
                DossierStatus.DIGITISING,
                slot.received,
                f"queued for digitisation: {waiting}",
            ),
            self._record(
                dossier,
                _ARRIVAL,
                "desk.queue.changed",
                DeskQueueChanged(
                    unit_code=dossier.unit_code, queue_length=queue, dossier_id=dossier.dossier_id
                ),
                slot.received,
            ),
        ]

    def _outcome(self, dossier: DeskDossier, request: IntakeRequest) -> list[OutboxRecord]:
        slot = dossier.slot
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
            return [self._record(dossier, _OUTCOME, "dossier.submitted", submitted, slot.done)]
        days = working_days_between(slot.received, slot.done)
        legal = self.catalogue.by_code(dossier.procedure_code).legal_time_limit_days
        settled = DossierSettled(
            dossier_id=dossier.dossier_id,
            dossier_code=dossier.dossier_code,
            procedure_code=dossier.procedure_code,
            channel=Channel.DESK,
            received_unit=dossier.unit_code,
            outcome=Outcome.REJECTED,
            settled_by=ONE_STOP,
            reason_code=SCAN_FAILED,
            reason_text=SCAN_FAILED_TEXT,
            received_simtime=request.received_simtime,
            settled_simtime=slot.done,
            working_days_taken=days,
            legal_limit_days=legal,
            within_legal_limit=within_legal_limit(slot.received, slot.done, days, legal),
        )
        # The terminal status goes first: the settlement comes back to this service's own
        # consumer, which answers it with returned_at_desk.
        return [
            self._status(dossier, _REJECTED, DossierStatus.REJECTED, slot.done, SCAN_FAILED_TEXT),
            self._record(dossier, _OUTCOME, "dossier.settled", settled, slot.done),
        ]

    # -- simulated time passing ---------------------------------------------------------
    def departures(
        self, store: OneStopStore, clock: datetime, keep: str | None = None
    ) -> list[OutboxRecord]:
        """``desk.queue.changed`` for each dossier whose digitisation ended by ``clock``.

        A departure's queue length counts the dossiers received up to its moment, so it
        is published only once the desks' clock (the latest receipt known) has passed it.
        ``keep`` names a dossier whose departure is left for later.
        """
        records: list[OutboxRecord] = []
        for dossier in store.due_departures(clock):
            if dossier.dossier_id == keep:
                continue
            done = dossier.slot.done
            payload = DeskQueueChanged(
                unit_code=dossier.unit_code,
                queue_length=store.queue_length(dossier.unit_code, done),
                dossier_id=dossier.dossier_id,
            )
            records.append(self._record(dossier, _DEPARTURE, "desk.queue.changed", payload, done))
            store.mark_departed(dossier.dossier_id)
        return records

    def advance_clock(
        self, store: OneStopStore, moment: datetime
    ) -> tuple[datetime, list[OutboxRecord]]:
        """Move the desks' clock to ``moment``; the departures it passes are published."""
        clock = store.advance_clock(moment)
        return clock, self.departures(store, clock)

    # -- results handed back ---------------------------------------------------------
    def return_at_desk(
        self, store: OneStopStore, settled: DossierSettled
    ) -> DossierStatusChanged | None:
        """Record the decision on a desk dossier; the status ``returned_at_desk`` to publish.

        None for a dossier that is not one of this service's desk dossiers, or that was
        already returned (a second settlement changes nothing).
        """
        if settled.channel is not Channel.DESK:
            return None
        dossier = store.dossier(settled.dossier_id)
        if dossier is None or dossier.returned:
            return None
        store.record_settlement(
            dossier.dossier_id,
            settled.outcome,
            str(settled.settled_by),
            settled.result_document_number,
            settled.reason_code,
            settled.settled_simtime,
        )
        return DossierStatusChanged(
            dossier_id=dossier.dossier_id,
            dossier_code=dossier.dossier_code,
            procedure_code=dossier.procedure_code,
            status=DossierStatus.RETURNED_AT_DESK,
            by=ONE_STOP,
            note=returned_note(
                settled.outcome,
                settled.result_document_number,
                settled.reason_code,
                settled.reason_text,
            ),
        )


def _accepted(dossier: DeskDossier) -> IntakeAccepted:
    return IntakeAccepted(
        dossier_id=dossier.dossier_id,
        dossier_code=dossier.dossier_code,
        unit_code=dossier.unit_code,
        digitised_simtime=dossier.slot.done,
    )
