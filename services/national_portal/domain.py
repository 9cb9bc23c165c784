"""The national portal's settlement of a routed dossier, as the events it publishes.

Pure functions, no IO: an adapter's decision becomes the status `processing`, the
`dossier.settled` payload and the terminal status, each with its simulated time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from contracts.catalogue import Catalogue, Portal, Procedure
from contracts.events import (
    DossierRouted,
    DossierSettled,
    DossierStatus,
    DossierStatusChanged,
    Outcome,
)
from contracts.worktime import HANOI_TZ, add_working_days, within_legal_limit, working_days_between
from services.national_portal.civil_status import civil_status_change
from services.national_portal.ministries.base import Adapter

__all__ = [
    "BY_NATIONAL_PORTAL",
    "Outgoing",
    "document_number",
    "find_procedure",
    "settle_routed",
    "settlement_events",
    "status_change",
]

BY_NATIONAL_PORTAL = str(Portal.NATIONAL_PORTAL)


@dataclass(frozen=True)
class Outgoing:
    """An event to publish: topic, payload, simulated time, and the correlation id."""

    topic: str
    payload: BaseModel
    simtime: datetime
    correlation_id: str | None = None

    @property
    def subject(self) -> str | None:
        """The dossier the event is about, when it is about one."""
        value = getattr(self.payload, "dossier_id", None)
        return str(value) if value is not None else None


def find_procedure(catalogue: Catalogue, code: str) -> Procedure | None:
    """The catalogue's procedure with this code, or None."""
    try:
        return catalogue.by_code(code)
    except KeyError:
        return None


def document_number(prefix: str, dossier_id: str, settled: datetime) -> str:
    """Result document number `<PREFIX>-<YYYY>-<6 digits from the dossier id hash>`."""
    digest = hashlib.blake2b(f"{dossier_id}:document".encode(), digest_size=8).digest()
    year = settled.astimezone(HANOI_TZ).year
    return f"{prefix}-{year:04d}-{int.from_bytes(digest, 'big') % 1_000_000:06d}"


def status_change(
    dossier_id: str,
    dossier_code: str,
    procedure_code: str,
    status: DossierStatus,
    by: str,
    simtime: datetime,
    *,
    note: str = "",
    correlation_id: str | None = None,
) -> Outgoing:
    """A `dossier.status.changed` event."""
    payload = DossierStatusChanged(
        dossier_id=dossier_id,
        dossier_code=dossier_code,
        procedure_code=procedure_code,
        status=status,
        by=by,
        note=note[:500],
    )
    return Outgoing("dossier.status.changed", payload, simtime, correlation_id)


def settlement_events(
    settled: DossierSettled, by: str, *, note: str = "", correlation_id: str | None = None
) -> list[Outgoing]:
    """`dossier.settled` and the terminal status, both at the settlement's simulated time."""
    approved = settled.outcome is Outcome.APPROVED
    status = DossierStatus.APPROVED if approved else DossierStatus.REJECTED
    result = settled.result_document_number or f"{settled.reason_code}: {settled.reason_text}"
    return [
        Outgoing("dossier.settled", settled, settled.settled_simtime, correlation_id),
        status_change(
            settled.dossier_id,
            settled.dossier_code,
            settled.procedure_code,
            status,
            by,
            settled.settled_simtime,
            note=f"{note}: {result}" if note else result,
            correlation_id=correlation_id,
        ),
    ]


def settle_routed(
    routed: DossierRouted,
    procedure: Procedure,
    adapter: Adapter,
    *,
    note: str = "",
    correlation_id: str | None = None,
) -> tuple[DossierSettled, list[Outgoing]]:
    """Let the adapter decide; the settlement and its events (processing, settled, status)."""
    sub = routed.submission
    decision = adapter.decide(routed, procedure)
    settled_at = add_working_days(routed.routed_simtime, decision.days)
    taken = working_days_between(sub.received_simtime, settled_at)
    approved = decision.outcome is Outcome.APPROVED
    prefix = decision.result_document_prefix or adapter.prefix
    settled = DossierSettled(
        dossier_id=routed.dossier_id,
        dossier_code=sub.dossier_code,
        procedure_code=sub.procedure_code,
        channel=sub.channel,
        received_unit=sub.received_unit,
        parent_dossier_id=sub.parent_dossier_id,
        outcome=decision.outcome,
        settled_by=routed.route_to,
        result_document_number=(
            document_number(prefix, routed.dossier_id, settled_at) if approved else None
        ),
        reason_code=decision.reason_code,
        reason_text=decision.reason_text,
        received_simtime=sub.received_simtime,
        settled_simtime=settled_at,
        working_days_taken=taken,
        legal_limit_days=procedure.legal_time_limit_days,
        within_legal_limit=within_legal_limit(
            sub.received_simtime, settled_at, procedure.legal_time_limit_days
        ),
        civil_status_change=civil_status_change(sub, procedure) if approved else None,
    )
    by = str(adapter.portal)
    processing = status_change(
        routed.dossier_id,
        sub.dossier_code,
        sub.procedure_code,
        DossierStatus.PROCESSING,
        by,
        routed.routed_simtime,
        note=note,
        correlation_id=correlation_id,
    )
    return settled, [
        processing,
        *settlement_events(settled, by, note=note, correlation_id=correlation_id),
    ]
