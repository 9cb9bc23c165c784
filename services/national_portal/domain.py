"""The national portal's settlement of a routed dossier, as the events it publishes.

Pure functions, no IO: an adapter's decision becomes the status `processing`, then the
kit's settlement (`dossier.settled` and the terminal status), each at its simulated time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from contracts.catalogue import Catalogue, Portal, Procedure
from contracts.events import DossierRouted, DossierSettled, DossierStatus, Outcome
from contracts.worktime import add_working_days
from services.kit.outgoing import Outgoing
from services.kit.settlement import (
    DossierFacts,
    Verdict,
    settle,
    settlement_events,
    status_change,
)
from services.national_portal.civil_status import civil_status_change
from services.national_portal.ministries.base import Adapter, Decision

__all__ = [
    "BY_NATIONAL_PORTAL",
    "facts_of",
    "find_procedure",
    "processing_status",
    "settle_routed",
    "settlement_of",
    "verdict_of",
]

BY_NATIONAL_PORTAL = str(Portal.NATIONAL_PORTAL)


def find_procedure(catalogue: Catalogue, code: str) -> Procedure | None:
    """The catalogue's procedure with this code, or None."""
    try:
        return catalogue.by_code(code)
    except KeyError:
        return None


def facts_of(routed: DossierRouted) -> DossierFacts:
    """What a settlement of a routed dossier repeats about it (under the routed id)."""
    return replace(DossierFacts.of(routed.submission), dossier_id=routed.dossier_id)


def verdict_of(
    decision: Decision, adapter: Adapter, routed: DossierRouted, procedure: Procedure
) -> Verdict:
    """An adapter's decision as a verdict: an approval carries the document prefix (the
    decision's, else the adapter's) and the civil-status change the dossier asks for."""
    if decision.outcome is Outcome.APPROVED:
        change = civil_status_change(routed.submission, procedure)
        return Verdict.approve(decision.result_document_prefix or adapter.prefix, change)
    return Verdict(decision.outcome, "", decision.reason_code, decision.reason_text)


def settle_routed(
    routed: DossierRouted,
    procedure: Procedure,
    adapter: Adapter,
    *,
    note: str = "",
    correlation_id: str | None = None,
    decision: Decision | None = None,
) -> tuple[DossierSettled, list[Outgoing]]:
    """Let the adapter decide (unless the decision is given); the settlement and its events
    (processing, settled, status)."""
    decision = decision or adapter.decide(routed, procedure)
    processing = processing_status(routed, adapter, note=note, correlation_id=correlation_id)
    settled, events = settlement_of(
        routed, procedure, adapter, decision, note=note, correlation_id=correlation_id
    )
    return settled, [processing, *events]


def processing_status(
    routed: DossierRouted,
    adapter: Adapter,
    status: DossierStatus = DossierStatus.PROCESSING,
    *,
    at: datetime | None = None,
    note: str = "",
    correlation_id: str | None = None,
) -> Outgoing:
    """A status change of a routed dossier by its adapter (`processing`, at its routing)."""
    sub = routed.submission
    return status_change(
        routed.dossier_id,
        sub.dossier_code,
        sub.procedure_code,
        status,
        str(adapter.portal),
        at or routed.routed_simtime,
        note=note,
        correlation_id=correlation_id,
    )


def settlement_of(
    routed: DossierRouted,
    procedure: Procedure,
    adapter: Adapter,
    decision: Decision,
    *,
    note: str = "",
    correlation_id: str | None = None,
) -> tuple[DossierSettled, list[Outgoing]]:
    """The settlement of a decided dossier and its events (settled, status)."""
    settled = settle(
        facts_of(routed),
        verdict_of(decision, adapter, routed, procedure),
        settled_by=routed.route_to,
        settled_at=add_working_days(routed.routed_simtime, decision.days),
        legal_limit_days=procedure.legal_time_limit_days,
    )
    by = str(adapter.portal)
    return settled, settlement_events(settled, by, note=note, correlation_id=correlation_id)
