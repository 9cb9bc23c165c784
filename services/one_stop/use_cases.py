"""What the desks' HTTP API does, each use case in one store transaction.

Run on the store worker (`await worker.run(use_case, store, ...)`). A use case that
decides events stores them in the outbox in the same transaction; the router then
flushes the outbox. Events about a desk dossier get the ids fixed by their dossier and
place (`desk_records`), so a request that is repeated, or replayed after a crash between
storing and publishing, publishes the very same events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from contracts.catalogue import Catalogue
from contracts.dossier_ids import dossier_id_for
from contracts.events import ONE_STOP, Channel
from contracts.units import unit_by_code
from services.kit.emitter import EventFactory, derived_event_id
from services.kit.store import OutboxRecord
from services.one_stop.domain import (
    DeskDossier,
    DeskEvent,
    admit,
    departure_event,
    intake_events,
    received_day,
)
from services.one_stop.domain.archive import archive_entry, reusable, scan_capacity
from services.one_stop.schemas import (
    ClockAdvanced,
    DeskList,
    DeskView,
    IntakeAccepted,
    IntakeRequest,
)
from services.one_stop.settings import OneStopSettings
from services.one_stop.store import OneStopStore

__all__ = [
    "DeskConfig",
    "advance_clock",
    "desk_records",
    "desk_view",
    "list_desks",
    "take_in",
]


@dataclass(frozen=True)
class DeskConfig:
    """What the desks' use cases need besides the store: settings, catalogue, event factory."""

    settings: OneStopSettings
    catalogue: Catalogue
    factory: EventFactory


def desk_records(factory: EventFactory, events: Iterable[DeskEvent]) -> list[OutboxRecord]:
    """The outbox records of events about desk dossiers, each id fixed by dossier and place."""
    records = []
    for desk_event in events:
        event = desk_event.event
        if event.simtime is None:
            raise ValueError(f"{event.topic} about a desk dossier needs its simulated moment")
        records.append(
            factory.record(
                event.topic,
                event.payload,
                event_id=derived_event_id(desk_event.dossier_id, int(desk_event.slot), ONE_STOP),
                correlation_id=event.correlation_id or desk_event.dossier_id,
                simtime=event.simtime,
                subject=event.subject,
            )
        )
    return records


def take_in(
    store: OneStopStore, desks: DeskConfig, unit_code: str, request: IntakeRequest
) -> IntakeAccepted:
    """Queue a paper dossier at a desk; the same client_ref gives the same dossier.

    Raises `DeskSequenceExhaustedError` when the desk has used all its codes for the day.
    """
    dossier_id = dossier_id_for(Channel.DESK, request.client_ref)
    with store.transaction():
        store.lock("desks")  # the desks' queues and clock: one intake at a time, any replica
        existing = store.dossier(dossier_id)
        if existing is not None:
            return _accepted(existing)
        received = request.received_simtime
        desk = store.desk(unit_code)
        reused = _reused(store, desks, request)
        capacity = scan_capacity(desks.settings.capacity_of(unit_code), reused)
        dossier = admit(
            dossier_id,
            unit_code,
            request,
            sequence=store.next_sequence(unit_code, received_day(received)),
            desk_free_at=desk.free_at if desk else None,
            capacity_per_day=capacity,
            scan_failure_rate=desks.settings.scan_failure_rate,
        )
        store.insert_dossier(dossier)
        if desks.settings.e_archive:
            _keep(store, desks, dossier, request)
        queue = store.queue_length(unit_code, received)
        store.save_desk(unit_code, dossier.slot.done, queue, dossier.scan_failed)
        clock = store.advance_clock(received)
        # Departures the receipt passes come first (in simulated order); the new dossier's
        # own departure waits for a later receipt even when it was taken in late.
        events = _departures(store, clock, keep=dossier_id)
        legal_limit = desks.catalogue.by_code(dossier.procedure_code).legal_time_limit_days
        events += intake_events(dossier, request, queue, legal_limit, reused=reused)
        store.add_outbox(desk_records(desks.factory, events))
    return _accepted(dossier)


def _reused(store: OneStopStore, desks: DeskConfig, request: IntakeRequest) -> list[str]:
    """The codes of the applicant's archived dossiers this one reuses (none without the
    archive)."""
    id_number = request.persons[0].id_number
    if not desks.settings.e_archive or id_number is None:
        return []
    return reusable(store.archived_of(id_number), request.received_simtime)


def _keep(
    store: OneStopStore, desks: DeskConfig, dossier: DeskDossier, request: IntakeRequest
) -> None:
    """Keep a dossier digitised (not a failed scan) in the archive."""
    procedure = desks.catalogue.by_code(dossier.procedure_code)
    digitised = None if dossier.scan_failed else dossier.slot.done
    entry = archive_entry(
        dossier.dossier_id, dossier.dossier_code, procedure, request.persons[0].id_number, digitised
    )
    if entry is not None:
        store.keep(entry)


def advance_clock(store: OneStopStore, desks: DeskConfig, moment: datetime) -> ClockAdvanced:
    """Move the desks' clock to ``moment``; the departures it passes are published."""
    with store.transaction():
        store.lock("desks")
        clock = store.advance_clock(moment)
        records = desk_records(desks.factory, _departures(store, clock))
        store.add_outbox(records)
    return ClockAdvanced(clock=clock, departures_published=len(records))


def desk_view(
    store: OneStopStore, settings: OneStopSettings, unit_code: str, at: datetime | None
) -> DeskView:
    """A desk's state and its queue at ``at`` (default: the latest moment known)."""
    with store.transaction():
        return _desk_view(store, settings, unit_code, at)


def list_desks(store: OneStopStore, settings: OneStopSettings) -> DeskList:
    """Every desk that took a dossier in, with its queue now and its peak."""
    with store.transaction():
        return DeskList(
            as_of=store.clock(),
            desks=[_desk_view(store, settings, s.unit_code, None) for s in store.desks()],
        )


def _departures(store: OneStopStore, clock: datetime, keep: str | None = None) -> list[DeskEvent]:
    """``desk.queue.changed`` for each dossier whose digitisation ended by ``clock``.

    A departure's queue length counts the dossiers received up to its moment, so it
    is published only once the desks' clock (the latest receipt known) has passed it.
    ``keep`` names a dossier whose departure is left for later.
    """
    events = []
    for dossier in store.due_departures(clock):
        if dossier.dossier_id == keep:
            continue
        queue = store.queue_length(dossier.unit_code, dossier.slot.done)
        events.append(departure_event(dossier, queue))
        store.mark_departed(dossier.dossier_id)
    return events


def _desk_view(
    store: OneStopStore, settings: OneStopSettings, unit_code: str, at: datetime | None
) -> DeskView:
    state = store.desk(unit_code)
    as_of = at or store.clock()
    return DeskView(
        unit_code=unit_code,
        unit_name=unit_by_code(unit_code).name,
        capacity_per_day=settings.capacity_of(unit_code),
        free_at=state.free_at if state else None,
        as_of=as_of,
        queue_length=store.queue_length(unit_code, as_of) if state and as_of else 0,
        peak_queue=state.peak_queue if state else 0,
        dossiers_received=state.dossiers_received if state else 0,
        scan_failures=state.scan_failures if state else 0,
    )


def _accepted(dossier: DeskDossier) -> IntakeAccepted:
    return IntakeAccepted(
        dossier_id=dossier.dossier_id,
        dossier_code=dossier.dossier_code,
        unit_code=dossier.unit_code,
        digitised_simtime=dossier.slot.done,
    )
