"""The status changes a service publishes together travel in one event per dossier."""

from __future__ import annotations

from datetime import datetime, timedelta

from contracts.catalogue import Portal
from contracts.events import (
    DossierRouted,
    DossierSettled,
    DossierStatus,
    IdentityCheckRequested,
    RequesterKind,
)
from services.kit.outgoing import Outgoing
from services.kit.settlement import DossierFacts, Verdict, settle, settlement_events, status_change
from services.kit.status_folding import fold_statuses
from tests.factories import SIMTIME, applicant, submission

LATER = SIMTIME + timedelta(days=2)


def change(dossier_id: str, status: DossierStatus, at: datetime = SIMTIME) -> Outgoing:
    return status_change(dossier_id, "c", "1.001193", status, "city_portal", at)


def check(dossier_id: str) -> Outgoing:
    person = applicant()
    request = IdentityCheckRequested(
        check_id=f"{dossier_id}:applicant",
        requester_kind=RequesterKind.DOSSIER,
        requester_id=dossier_id,
        id_number=person.id_number or "",
        person=person,
    )
    return Outgoing("identity.check.requested", request)


def carried(event: Outgoing) -> list[tuple[DossierStatus, object]]:
    return [(t.status, t.simtime) for t in getattr(event.payload, "transitions", [])]


def test_changes_of_one_dossier_published_together_travel_in_one_status_event() -> None:
    events = [
        change("d1", DossierStatus.RECEIVED),
        check("d1"),
        change("d1", DossierStatus.IDENTITY_CHECK),
    ]
    folded, carried_by = fold_statuses(events)
    assert [e.topic for e in folded] == ["dossier.status.changed", "identity.check.requested"]
    assert carried(folded[0]) == [
        (DossierStatus.RECEIVED, SIMTIME),
        (DossierStatus.IDENTITY_CHECK, SIMTIME),
    ]
    assert carried_by == [0, 1, 0]


def test_a_settlement_carries_the_changes_published_with_it_its_terminal_one_last() -> None:
    settled = settle(
        DossierFacts.of(submission(dossier_id="d1")),
        Verdict.approve("KS"),
        settled_by=Portal.NATIONAL_PORTAL,
        settled_at=LATER,
        legal_limit_days=None,
    )
    events = [change("d1", DossierStatus.PROCESSING), *settlement_events(settled, "x")]
    folded, carried_by = fold_statuses(events)
    [only] = folded
    assert isinstance(only.payload, DossierSettled) and only.simtime == LATER
    assert carried(only) == [(DossierStatus.PROCESSING, SIMTIME), (DossierStatus.APPROVED, LATER)]
    assert carried_by == [0, 0, 0]


def test_a_routing_carries_the_changes_published_with_it() -> None:
    sub = submission(dossier_id="d1")
    routed = DossierRouted(
        dossier_id="d1", route_to=Portal.NATIONAL_PORTAL, submission=sub, routed_simtime=SIMTIME
    )
    events = [
        change("d1", DossierStatus.RECEIVED),
        Outgoing("dossier.routed", routed),
        change("d1", DossierStatus.ROUTED),
    ]
    folded, carried_by = fold_statuses(events)
    assert [e.topic for e in folded] == ["dossier.routed"]
    assert carried(folded[0]) == [
        (DossierStatus.RECEIVED, SIMTIME),
        (DossierStatus.ROUTED, SIMTIME),
    ]
    assert carried_by == [0, 0, 0]


def test_changes_of_different_dossiers_travel_apart_in_the_order_given() -> None:
    events = [
        change("d1", DossierStatus.RECEIVED),
        change("d2", DossierStatus.RECEIVED),
        change("d1", DossierStatus.IDENTITY_CHECK, LATER),
    ]
    folded, carried_by = fold_statuses(events)
    assert [getattr(e.payload, "dossier_id", None) for e in folded] == ["d1", "d2"]
    assert carried(folded[0]) == [
        (DossierStatus.RECEIVED, SIMTIME),
        (DossierStatus.IDENTITY_CHECK, LATER),
    ]
    assert folded[0].simtime == LATER  # the envelope's: the latest change's
    assert carried_by == [0, 1, 0]


def test_events_without_status_changes_are_left_as_they_are() -> None:
    events = [check("d1"), check("d2")]
    folded, carried_by = fold_statuses(events)
    assert folded == events
    assert carried_by == [0, 1]
