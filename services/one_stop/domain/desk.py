"""Pure rules of a one-stop desk (Bộ phận Một cửa): intake, queue, digitisation, codes.

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
from services.one_stop.schemas import IntakeRequest

__all__ = [
    "DESK_SEQUENCE_BLOCK",
    "DeskDossier",
    "DeskSequenceExhaustedError",
    "DigitisationSlot",
    "admit",
    "desk_dossier_code",
    "draw",
    "next_desk_sequence",
    "queue_length_at",
    "received_day",
    "scan_fails",
    "schedule_digitisation",
]

#: The block of each unit's daily code sequence that the desks allocate from.
DESK_SEQUENCE_BLOCK: tuple[int, int] = SEQUENCE_BLOCKS[Channel.DESK]


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


@dataclass(frozen=True)
class DeskDossier:
    """A paper dossier a desk took in, and what became of it."""

    dossier_id: str
    client_ref: str | None
    unit_code: str
    dossier_code: str
    procedure_code: str
    slot: DigitisationSlot
    scan_failed: bool
    outcome: Outcome | None = None
    returned: bool = False


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


def admit(
    dossier_id: str,
    unit_code: str,
    request: IntakeRequest,
    *,
    sequence: int,
    desk_free_at: datetime | None,
    capacity_per_day: int,
    scan_failure_rate: float,
) -> DeskDossier:
    """The paper dossier a desk takes in: its code, its digitisation slot, whether its scan fails.

    ``sequence`` is the number the desk allocated for the day of receipt
    (:func:`next_desk_sequence`), ``desk_free_at`` when the desk finishes the dossiers
    it already has (none when idle).
    """
    received = request.received_simtime
    return DeskDossier(
        dossier_id=dossier_id,
        client_ref=request.client_ref,
        unit_code=unit_code,
        dossier_code=desk_dossier_code(unit_code, received, sequence),
        procedure_code=request.procedure_code,
        slot=schedule_digitisation(received, desk_free_at, capacity_per_day),
        scan_failed=scan_fails(dossier_id, scan_failure_rate),
    )
