"""Settling a dossier, the one way every service does it.

A settlement is a `dossier.settled` event and the terminal status change (approved or
rejected) at the same simulated moment; published together, the change travels in the
settlement's `transitions` (`services.kit.status_folding`). The result document number, the
working days taken and whether the legal limit was met are computed here and nowhere
else (the legal-limit rule itself is `contracts.worktime.within_legal_limit`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from contracts.catalogue import Portal
from contracts.events import (
    Channel,
    CivilStatusChange,
    DossierSettled,
    DossierStatus,
    DossierStatusChanged,
    DossierSubmitted,
    Outcome,
    StatusTransition,
)
from contracts.worktime import HANOI_TZ, within_legal_limit, working_days_between
from services.kit.outgoing import Outgoing

__all__ = [
    "NOTE_MAX_LENGTH",
    "DossierFacts",
    "Verdict",
    "document_number",
    "settle",
    "settlement_events",
    "status_change",
]

#: The longest note a status change carries (the contract's limit); longer ones are cut.
NOTE_MAX_LENGTH = 500


@dataclass(frozen=True)
class DossierFacts:
    """What a settlement repeats about the dossier it settles."""

    dossier_id: str
    dossier_code: str
    procedure_code: str
    channel: Channel
    received_unit: str
    received_simtime: datetime
    parent_dossier_id: str | None = None

    @classmethod
    def of(cls, submission: DossierSubmitted) -> DossierFacts:
        """The facts of a submitted dossier."""
        return cls(
            dossier_id=submission.dossier_id,
            dossier_code=submission.dossier_code,
            procedure_code=submission.procedure_code,
            channel=submission.channel,
            received_unit=submission.received_unit,
            received_simtime=submission.received_simtime,
            parent_dossier_id=submission.parent_dossier_id,
        )


@dataclass(frozen=True)
class Verdict:
    """A decision: approved (with the result document's prefix) or rejected with a reason."""

    outcome: Outcome
    document_prefix: str = ""
    reason_code: str | None = None
    reason_text: str | None = None
    civil_status_change: CivilStatusChange | None = None

    @classmethod
    def approve(
        cls, document_prefix: str, civil_status_change: CivilStatusChange | None = None
    ) -> Verdict:
        """Approved; the result document is numbered `<document_prefix>-<year>-<digits>`."""
        return cls(Outcome.APPROVED, document_prefix, civil_status_change=civil_status_change)

    @classmethod
    def reject(cls, reason_code: str, reason_text: str) -> Verdict:
        """Rejected for a reason (a machine-readable code and a sentence)."""
        return cls(Outcome.REJECTED, reason_code=reason_code, reason_text=reason_text)


def document_number(prefix: str, dossier_id: str, settled_at: datetime) -> str:
    """Result document number `<PREFIX>-<YYYY>-<6 digits>`, from the dossier id (Hanoi's year)."""
    digest = hashlib.blake2b(f"{dossier_id}:document".encode(), digest_size=8).digest()
    year = settled_at.astimezone(HANOI_TZ).year
    return f"{prefix}-{year:04d}-{int.from_bytes(digest, 'big') % 1_000_000:06d}"


def settle(
    dossier: DossierFacts,
    verdict: Verdict,
    *,
    settled_by: Portal | Literal["one_stop"],
    settled_at: datetime,
    legal_limit_days: int | None,
) -> DossierSettled:
    """The `dossier.settled` payload of a verdict reached at `settled_at`."""
    approved = verdict.outcome is Outcome.APPROVED
    return DossierSettled(
        dossier_id=dossier.dossier_id,
        dossier_code=dossier.dossier_code,
        procedure_code=dossier.procedure_code,
        channel=dossier.channel,
        received_unit=dossier.received_unit,
        parent_dossier_id=dossier.parent_dossier_id,
        outcome=verdict.outcome,
        settled_by=settled_by,
        result_document_number=(
            document_number(verdict.document_prefix, dossier.dossier_id, settled_at)
            if approved
            else None
        ),
        reason_code=None if approved else verdict.reason_code,
        reason_text=None if approved else verdict.reason_text,
        received_simtime=dossier.received_simtime,
        settled_simtime=settled_at,
        working_days_taken=working_days_between(dossier.received_simtime, settled_at),
        legal_limit_days=legal_limit_days,
        within_legal_limit=within_legal_limit(
            dossier.received_simtime, settled_at, legal_limit_days
        ),
        civil_status_change=verdict.civil_status_change if approved else None,
    )


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
    """A `dossier.status.changed` event of one change (the note cut to the contract's 500
    characters); the kit folds the changes published together (`fold_statuses`)."""
    change = StatusTransition(status=status, by=by, note=note[:NOTE_MAX_LENGTH], simtime=simtime)
    payload = DossierStatusChanged(
        dossier_id=dossier_id,
        dossier_code=dossier_code,
        procedure_code=procedure_code,
        transitions=[change],
    )
    return Outgoing("dossier.status.changed", payload, simtime, correlation_id)


def settlement_events(
    settled: DossierSettled, by: str, *, note: str = "", correlation_id: str | None = None
) -> list[Outgoing]:
    """`dossier.settled` and the terminal status, both at the settlement's simulated time.

    The status's note is the result document number, or `<reason code>: <reason text>`,
    after `note: ` when a note is given.
    """
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
