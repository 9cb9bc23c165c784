"""What the city portal's store holds, as typed records (the store maps its rows to these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.events import AccountKind, AccountStatus, DossierSubmitted, StatusTransition
from contracts.people import DeclaredPerson

__all__ = ["Account", "DossierRecord", "ExpectedCheck", "HeldDossier", "TimelineEntry"]


@dataclass(frozen=True)
class Account:
    """A portal account: who holds it, and whether its identity check let it in."""

    account_id: str
    kind: AccountKind
    status: AccountStatus
    person: DeclaredPerson
    reason: str | None = None
    client_ref: str | None = None  # the registration's idempotency key


@dataclass(frozen=True)
class DossierRecord:
    """A dossier as the city portal keeps it.

    `submission` is the `DossierSubmitted` JSON (`{}` for a dossier known only by its
    settlement); `settlement` the `DossierSettled` JSON once settled; `kept_statuses` the
    `DossierStatusChanged` JSON of the status changes kept for its next event
    (`Reaction.kept`), None when nothing is kept.
    """

    dossier_id: str
    dossier_code: str
    procedure_code: str
    channel: str
    parent_dossier_id: str | None
    status: str
    submission: bytes
    settlement: bytes | None = None
    new_id_number: str | None = None
    account_id: str | None = None
    kept_statuses: bytes | None = None


@dataclass(frozen=True)
class HeldDossier:
    """A dossier held for its account: its submission and the `traceparent` of the request
    that handed it in (None when not traced), which its `dossier.submitted` carries on."""

    submission: DossierSubmitted
    traceparent: str | None = None


@dataclass(frozen=True)
class ExpectedCheck:
    """An identity check a dossier waits for: the person's role, the answer once it came."""

    role: str
    answer: bytes | None  # the `IdentityCheckCompleted` JSON


@dataclass(frozen=True)
class TimelineEntry:
    """One status change of a dossier, as its timeline shows it."""

    status: str
    by: str
    note: str
    simtime: datetime
    time: datetime  # when the event's envelope was made
    event_id: str

    @classmethod
    def of(cls, change: StatusTransition, event_id: str, time: datetime) -> TimelineEntry:
        """The entry of a published or received status change (`event_id`, `time`: the
        event that carried it)."""
        return cls(change.status.value, change.by, change.note, change.simtime, time, event_id)

    def as_json(self) -> dict[str, Any]:
        """The entry as the timeline's JSON shows (and the store keeps) it."""
        return {
            "status": self.status,
            "by": self.by,
            "note": self.note,
            "simtime": self.simtime.isoformat(),
            "time": self.time.isoformat(),
            "event_id": self.event_id,
        }

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> TimelineEntry:
        """An entry from its JSON."""
        return cls(
            status=entry["status"],
            by=entry["by"],
            note=entry["note"],
            simtime=datetime.fromisoformat(entry["simtime"]),
            time=datetime.fromisoformat(entry["time"]),
            event_id=entry["event_id"],
        )
