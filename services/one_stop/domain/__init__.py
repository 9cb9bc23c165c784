"""Pure rules of the one-stop desks (no IO): what a desk does and what it publishes.

`desk`: taking a paper dossier in, its digitisation slot and queue, its dossier code.
`events`: the events a desk publishes about its dossiers (`Outgoing`, each with its
fixed place among the dossier's events). The use cases and handlers load and save.
"""

from services.one_stop.domain.desk import (
    DESK_SEQUENCE_BLOCK,
    DeskDossier,
    DeskSequenceExhaustedError,
    DigitisationSlot,
    admit,
    desk_dossier_code,
    draw,
    next_desk_sequence,
    queue_length_at,
    received_day,
    scan_fails,
    schedule_digitisation,
)
from services.one_stop.domain.events import (
    SCAN_FAILED,
    SCAN_FAILED_TEXT,
    DeskEvent,
    DeskEventSlot,
    departure_event,
    intake_events,
    returned_at_desk,
    returned_note,
)

__all__ = [
    "DESK_SEQUENCE_BLOCK",
    "SCAN_FAILED",
    "SCAN_FAILED_TEXT",
    "DeskDossier",
    "DeskEvent",
    "DeskEventSlot",
    "DeskSequenceExhaustedError",
    "DigitisationSlot",
    "admit",
    "departure_event",
    "desk_dossier_code",
    "draw",
    "intake_events",
    "next_desk_sequence",
    "queue_length_at",
    "received_day",
    "returned_at_desk",
    "returned_note",
    "scan_fails",
    "schedule_digitisation",
]
