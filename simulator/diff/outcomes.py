"""Each dossier's outcome, derived from an event log's records alone.

A dossier is anything with a dossier id on `dossier.submitted`, `desk.dossier.received`,
`dossier.settled`, `dossier.routed` or `dossier.status.changed`: online and desk dossiers,
and the steps of linked groups (with their parent). Its status changes are those every
version of these events carries (`simulator.eventlog.statuses`). Duplicates of an event
(at-least-once delivery) count once, by event id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simulator.eventlog.format import LogRecord
from simulator.eventlog.statuses import CARRYING_TOPICS, status_changes

__all__ = ["COMPARED_FIELDS", "DossierOutcome", "outcomes_from_records"]

#: The fields of an outcome that two runs must agree on.
COMPARED_FIELDS = (
    "terminal",
    "settled_by",
    "reason_code",
    "reason_text",
    "result_document_number",
    "statuses",
    "working_days_taken",
)


@dataclass
class DossierOutcome:
    """What happened to one dossier in one run."""

    dossier_id: str
    procedure_code: str | None = None
    channel: str | None = None
    parent_dossier_id: str | None = None
    dossier_code: str | None = None
    terminal: str | None = None
    settled_by: str | None = None
    reason_code: str | None = None
    reason_text: str | None = None
    result_document_number: str | None = None
    working_days_taken: float | None = None
    statuses: list[tuple[datetime, int, int, str, str]] = field(default_factory=list)
    settlements: int = 0

    @property
    def root_id(self) -> str:
        """The root dossier: the parent of a linked step, else the dossier itself."""
        return self.parent_dossier_id or self.dossier_id

    def compared(self) -> dict[str, Any]:
        """The compared fields, normalised (days rounded to a millionth)."""
        values = {name: getattr(self, name) for name in COMPARED_FIELDS}
        if self.working_days_taken is not None:
            values["working_days_taken"] = round(self.working_days_taken, 6)
        # The domain's order (simulated time, then the lifecycle), not the order of arrival:
        # two services' status events about one moment race across topics.
        values["statuses"] = [f"{status} by {by}" for *_, status, by in sorted(self.statuses)]
        return values

    def as_json(self) -> dict[str, Any]:
        """The outcome as plain JSON."""
        return {
            "dossier_id": self.dossier_id,
            "procedure_code": self.procedure_code,
            "channel": self.channel,
            "parent_dossier_id": self.parent_dossier_id,
            "dossier_code": self.dossier_code,
            **self.compared(),
        }


class _Builder:
    def __init__(self) -> None:
        self.outcomes: dict[str, DossierOutcome] = {}
        self.seen: set[str] = set()

    def outcome(self, data: dict[str, Any]) -> DossierOutcome | None:
        dossier_id = data.get("dossier_id")
        if not isinstance(dossier_id, str):
            return None
        found = self.outcomes.get(dossier_id)
        if found is None:
            found = self.outcomes[dossier_id] = DossierOutcome(dossier_id)
        for name in ("procedure_code", "channel", "parent_dossier_id", "dossier_code"):
            if getattr(found, name) is None and data.get(name) is not None:
                setattr(found, name, data[name])
        return found

    def take(self, record: LogRecord) -> None:
        topic, value = record.topic, record.value
        if value is None or topic not in _TOPICS:
            return
        event_id = f"{topic}/{value.get('id')}"
        if event_id in self.seen:
            return
        self.seen.add(event_id)
        data = record.data
        outcome = self.outcome(data)
        if outcome is None:
            return
        if topic == "desk.dossier.received" and outcome.channel is None:
            outcome.channel = "desk"
        for change in status_changes(topic, data, value.get("simtime")):
            rank = _LIFECYCLE.get(change.status, len(_LIFECYCLE))
            outcome.statuses.append(
                (_simtime(change.simtime), rank, len(outcome.statuses), change.status, change.by)
            )
        if topic == "dossier.settled":
            outcome.settlements += 1
            if outcome.settlements == 1:
                _settle(outcome, data)


_LIFECYCLE = {
    name: rank
    for rank, name in enumerate(
        (
            "received",
            "digitising",
            "identity_check",
            "routed",
            "awaiting_steps",
            "processing",
            "awaiting_card",
            "approved",
            "rejected",
            "returned_at_desk",
        )
    )
}
_NO_TIME = datetime.min.replace(tzinfo=UTC)


def _simtime(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return _NO_TIME


def _settle(outcome: DossierOutcome, data: dict[str, Any]) -> None:
    outcome.terminal = data.get("outcome")
    outcome.settled_by = data.get("settled_by")
    outcome.reason_code = data.get("reason_code")
    outcome.reason_text = data.get("reason_text")
    outcome.result_document_number = data.get("result_document_number")
    days = data.get("working_days_taken")
    outcome.working_days_taken = float(days) if days is not None else None


_TOPICS = frozenset({"dossier.submitted", "desk.dossier.received", *CARRYING_TOPICS})


def outcomes_from_records(records: Iterable[LogRecord]) -> dict[str, DossierOutcome]:
    """Every dossier's outcome, by dossier id."""
    builder = _Builder()
    for record in records:
        builder.take(record)
    return builder.outcomes
