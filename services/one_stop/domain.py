"""Pure rules of a one-stop desk (Bộ phận Một cửa): queue, digitisation, codes, outcomes.

A desk digitises its paper dossiers one after another, ``capacity`` dossiers per
working day (docs/flow.md section 4). Everything here is computed in simulated time
with :mod:`contracts.worktime`; nothing sleeps, nothing touches a store or a broker.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from contracts.dossier_codes import format_dossier_code
from contracts.dossier_ids import SEQUENCE_BLOCKS
from contracts.events import Channel, Outcome
from contracts.worktime import HANOI_TZ, add_working_days, next_office_moment

__all__ = [
    "DESK_SEQUENCE_BLOCK",
    "SCAN_FAILED",
    "SCAN_FAILED_TEXT",
    "DeskSequenceExhaustedError",
    "DigitisationSlot",
    "desk_dossier_code",
    "draw",
    "next_desk_sequence",
    "queue_length_at",
    "received_day",
    "returned_note",
    "scan_fails",
    "schedule_digitisation",
    "within_legal_limit",
]

#: The block of each unit's daily code sequence that the desks allocate from.
DESK_SEQUENCE_BLOCK: tuple[int, int] = SEQUENCE_BLOCKS[Channel.DESK]
SCAN_FAILED = "scan_failed"
SCAN_FAILED_TEXT = "Hồ sơ giấy không số hóa được (scan failed); returned to the citizen"
_NOTE_LIMIT = 500


class DeskSequenceExhaustedError(ValueError):
    """A desk used up its block of dossier-code sequence numbers for the day."""


@dataclass(frozen=True)
class DigitisationSlot:
    """When a paper dossier was received at a desk and when its digitisation ran."""

    received: datetime
    start: datetime
    done: datetime

    def in_queue_at(self, moment: datetime) -> bool:
        """Waiting or being scanned at ``moment``: ``received <= moment < done``."""
        return self.received <= moment < self.done


def schedule_digitisation(
    received: datetime, desk_free_at: datetime | None, capacity_per_day: int
) -> DigitisationSlot:
    """The slot of a dossier received at a desk that is free from ``desk_free_at``.

    Digitisation starts at the first office moment after receipt, or when the desk
    has finished the dossiers ahead of it, whichever is later, and takes
    ``1 / capacity_per_day`` working days (office hours only, weekends skipped).
    """
    if capacity_per_day < 1:
        raise ValueError("a desk's capacity must be at least 1 dossier per working day")
    start = next_office_moment(received)
    if desk_free_at is not None and desk_free_at > start:
        start = desk_free_at
    return DigitisationSlot(
        received=received, start=start, done=add_working_days(start, 1 / capacity_per_day)
    )


def queue_length_at(moment: datetime, slots: Iterable[DigitisationSlot]) -> int:
    """Dossiers of a desk waiting or being scanned at ``moment`` (received <= t < done).

    At a dossier's arrival the count includes the dossier itself; at its departure
    (``moment = done``) it no longer does.
    """
    return sum(1 for slot in slots if slot.in_queue_at(moment))


def draw(dossier_id: str, purpose: str) -> float:
    """A number in [0, 1) derived from the dossier id: the same for the same dossier."""
    digest = hashlib.blake2b(f"{dossier_id}:{purpose}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def scan_fails(dossier_id: str, scan_failure_rate: float) -> bool:
    """Whether this dossier's paper cannot be digitised (deterministic per dossier id)."""
    return draw(dossier_id, "scan") < scan_failure_rate


def received_day(received: datetime) -> date:
    """The date a dossier was received, in Hanoi time (the YYMMDD of its code)."""
    return received.astimezone(HANOI_TZ).date()


def next_desk_sequence(last: int | None) -> int:
    """The next number of a unit's daily sequence in the desks' block (6000-8999).

    ``last`` is the day's last number given by the desk, none for its first dossier.
    """
    first, final = DESK_SEQUENCE_BLOCK
    sequence = first if last is None else last + 1
    if sequence > final:
        raise DeskSequenceExhaustedError(
            f"the desk has used all {final - first + 1} dossier codes of its block "
            f"{first}-{final} for the day"
        )
    return max(sequence, first)


def desk_dossier_code(unit_code: str, received: datetime, sequence: int) -> str:
    """The dossier code ``<unit>-YYMMDD-XXXX`` of a desk dossier."""
    return format_dossier_code(unit_code, received_day(received), sequence)


def within_legal_limit(
    received: datetime, settled: datetime, days_taken: float, legal_limit_days: int | None
) -> bool | None:
    """Whether a decision came within the legal time limit; none when there is no limit.

    A limit of 0 days ("on receipt", same day) is met when the decision falls on the
    office day the dossier was taken in.
    """
    if legal_limit_days is None:
        return None
    if legal_limit_days == 0:
        return received_day(next_office_moment(received)) == received_day(settled)
    return days_taken <= legal_limit_days


def returned_note(
    outcome: Outcome,
    result_document_number: str | None,
    reason_code: str | None,
    reason_text: str | None,
) -> str:
    """The note of a ``returned_at_desk`` status: the outcome and what the citizen gets."""
    if outcome is Outcome.APPROVED:
        document = result_document_number or "no number given"
        note = f"approved; result document {document} returned at the desk"
    else:
        reason = reason_text or reason_code or "no reason given"
        code = f" [{reason_code}]" if reason_code and reason_text else ""
        note = f"rejected{code}: {reason}; dossier returned at the desk"
    return note[:_NOTE_LIMIT]
