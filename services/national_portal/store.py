"""The national portal's SQLite state: dossiers it knows, linked groups, step code counters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from contracts.dossier_codes import format_dossier_code
from contracts.dossier_ids import SEQUENCE_BLOCKS
from contracts.events import (
    Channel,
    DossierRouted,
    DossierSettled,
    DossierStatusChanged,
    DossierSubmitted,
)
from services.kit.outgoing import Outgoing
from services.kit.store import StoreRow
from services.national_portal.card_store import CARD_SCHEMA, CardLineStore
from services.national_portal.linked.state import GroupState

__all__ = ["DossierRecord", "NationalPortalStore", "SequenceExhaustedError"]

_COLUMNS = (
    "dossier_code",
    "procedure_code",
    "route_to",
    "handled_by",
    "status",
    "outcome",
    "reason_code",
    "reason_text",
    "result_document_number",
    "parent_dossier_id",
    "step_index",
    "received_simtime",
    "settled_simtime",
    "working_days_taken",
    "legal_limit_days",
    "within_legal_limit",
)


@dataclass(frozen=True)
class DossierRecord:
    """What the national portal knows about one dossier (None where it knows nothing)."""

    dossier_id: str
    dossier_code: str | None = None
    procedure_code: str | None = None
    route_to: str | None = None
    handled_by: str | None = None
    status: str | None = None
    outcome: str | None = None
    reason_code: str | None = None
    reason_text: str | None = None
    result_document_number: str | None = None
    parent_dossier_id: str | None = None
    step_index: int | None = None
    received_simtime: datetime | None = None
    settled_simtime: datetime | None = None
    working_days_taken: float | None = None
    legal_limit_days: int | None = None
    within_legal_limit: bool | None = None


def _dossier_record(row: StoreRow) -> DossierRecord:
    within = row["within_legal_limit"]
    return DossierRecord(
        dossier_id=row["dossier_id"],
        dossier_code=row["dossier_code"],
        procedure_code=row["procedure_code"],
        route_to=row["route_to"],
        handled_by=row["handled_by"],
        status=row["status"],
        outcome=row["outcome"],
        reason_code=row["reason_code"],
        reason_text=row["reason_text"],
        result_document_number=row["result_document_number"],
        parent_dossier_id=row["parent_dossier_id"],
        step_index=row["step_index"],
        received_simtime=_moment(row["received_simtime"]),
        settled_simtime=_moment(row["settled_simtime"]),
        working_days_taken=row["working_days_taken"],
        legal_limit_days=row["legal_limit_days"],
        within_legal_limit=None if within is None else bool(within),
    )


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class SequenceExhaustedError(RuntimeError):
    """A unit's linked block of dossier codes for a day is used up."""


class NationalPortalStore(CardLineStore):
    """Repository of the national portal; every method runs on the store worker."""

    SCHEMA = (
        """
    CREATE TABLE IF NOT EXISTS dossiers (
        dossier_id TEXT PRIMARY KEY,
        dossier_code TEXT, procedure_code TEXT, route_to TEXT, handled_by TEXT,
        status TEXT, outcome TEXT, reason_code TEXT, reason_text TEXT,
        result_document_number TEXT, parent_dossier_id TEXT, step_index INTEGER,
        received_simtime TEXT, settled_simtime TEXT, working_days_taken REAL,
        legal_limit_days INTEGER, within_legal_limit INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS linked_groups (
        parent_dossier_id TEXT PRIMARY KEY,
        outcome TEXT,
        state TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS group_steps (
        step_dossier_id TEXT PRIMARY KEY,
        parent_dossier_id TEXT NOT NULL,
        step_index INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS linked_sequences (
        unit_code TEXT NOT NULL,
        day TEXT NOT NULL,
        last_sequence INTEGER NOT NULL,
        PRIMARY KEY (unit_code, day)
    ) WITHOUT ROWID;
    """
        + CARD_SCHEMA
    )

    # -- dossiers -------------------------------------------------------------------
    def _upsert(self, dossier_id: str, **values: Any) -> None:
        """Insert or update a dossier; a None value keeps what is stored."""
        columns = [c for c in _COLUMNS if c in values]
        names = ", ".join(["dossier_id", *columns])
        marks = ", ".join("?" * (len(columns) + 1))
        updates = ", ".join(f"{c} = COALESCE(excluded.{c}, dossiers.{c})" for c in columns)
        self.db.execute(
            f"INSERT INTO dossiers ({names}) VALUES ({marks}) "
            f"ON CONFLICT (dossier_id) DO UPDATE SET {updates}",
            [dossier_id, *(values[c] for c in columns)],
        )

    def is_taken(self, dossier_id: str) -> bool:
        """True when this dossier was routed here before (a redelivered routing)."""
        row = self.db.execute(
            "SELECT 1 FROM dossiers WHERE dossier_id = ? AND route_to IS NOT NULL", (dossier_id,)
        ).fetchone()
        return row is not None

    def take(self, routed: DossierRouted, handled_by: str) -> None:
        """Record a dossier routed here and who handles it."""
        sub = routed.submission
        self._upsert(
            routed.dossier_id,
            dossier_code=sub.dossier_code,
            procedure_code=sub.procedure_code,
            route_to=str(routed.route_to),
            handled_by=handled_by,
            parent_dossier_id=sub.parent_dossier_id,
            step_index=sub.step_index,
            received_simtime=sub.received_simtime.isoformat(),
        )

    def record_settled(self, settled: DossierSettled) -> None:
        """Record a settlement (ours, or a step's settled elsewhere)."""
        within = settled.within_legal_limit
        self._upsert(
            settled.dossier_id,
            dossier_code=settled.dossier_code,
            procedure_code=settled.procedure_code,
            handled_by=str(settled.settled_by),
            status=str(settled.outcome),
            outcome=str(settled.outcome),
            reason_code=settled.reason_code,
            reason_text=settled.reason_text,
            result_document_number=settled.result_document_number,
            parent_dossier_id=settled.parent_dossier_id,
            received_simtime=settled.received_simtime.isoformat(),
            settled_simtime=settled.settled_simtime.isoformat(),
            working_days_taken=settled.working_days_taken,
            legal_limit_days=settled.legal_limit_days,
            within_legal_limit=None if within is None else int(within),
        )

    def track(self, events: Iterable[Outgoing]) -> None:
        """Keep what the published events say about each dossier."""
        for event in events:
            payload = event.payload
            if isinstance(payload, DossierStatusChanged):
                latest = payload.transitions[-1]
                self._upsert(
                    payload.dossier_id,
                    dossier_code=payload.dossier_code,
                    procedure_code=payload.procedure_code,
                    status=str(latest.status),
                    handled_by=latest.by,
                )
            elif isinstance(payload, DossierSettled):
                self.record_settled(payload)
            elif isinstance(payload, DossierSubmitted):
                self._upsert(
                    payload.dossier_id,
                    dossier_code=payload.dossier_code,
                    procedure_code=payload.procedure_code,
                    status="submitted",
                    parent_dossier_id=payload.parent_dossier_id,
                    step_index=payload.step_index,
                    received_simtime=payload.received_simtime.isoformat(),
                )

    def dossier(self, dossier_id: str) -> DossierRecord | None:
        """What the national portal knows about a dossier, or None."""
        row = self.db.execute(
            "SELECT * FROM dossiers WHERE dossier_id = ?", (dossier_id,)
        ).fetchone()
        return None if row is None else _dossier_record(row)

    # -- linked groups ------------------------------------------------------------------
    def group(self, parent_dossier_id: str) -> GroupState | None:
        """The state of a linked group, or None when it is not one of ours.

        The group's row stays locked until the transaction ends: two replicas settling
        two of its steps at once take turns, and neither overwrites the other's step.
        """
        row = self.db.execute(
            "SELECT state FROM linked_groups WHERE parent_dossier_id = ?" + self.dialect.for_update,
            (parent_dossier_id,),
        ).fetchone()
        return GroupState.model_validate_json(row["state"]) if row else None

    def save_group(self, state: GroupState) -> None:
        """Store a group's state and the ids of its steps."""
        self.db.execute(
            "INSERT INTO linked_groups (parent_dossier_id, outcome, state) VALUES (?, ?, ?) "
            "ON CONFLICT (parent_dossier_id) DO UPDATE SET "
            "outcome = excluded.outcome, state = excluded.state",
            (
                state.parent_id,
                None if state.outcome is None else str(state.outcome),
                state.model_dump_json(),
            ),
        )
        self.db.executemany(
            "INSERT INTO group_steps (step_dossier_id, parent_dossier_id, step_index) "
            "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [(s.dossier_id, state.parent_id, s.index) for s in state.steps],
        )

    def parent_of_step(self, step_dossier_id: str) -> str | None:
        """The parent dossier of a step of one of our groups, or None."""
        row = self.db.execute(
            "SELECT parent_dossier_id FROM group_steps WHERE step_dossier_id = ?",
            (step_dossier_id,),
        ).fetchone()
        return str(row["parent_dossier_id"]) if row else None

    def allocate_linked_code(self, unit_code: str, day: date) -> str:
        """The next dossier code of a unit on a day from the linked block (9000-9999)."""
        first, last = SEQUENCE_BLOCKS[Channel.LINKED]
        sequence = self.next_in_sequence("linked_sequences", "last_sequence", unit_code, day, first)
        if sequence > last:
            raise SequenceExhaustedError(f"unit {unit_code} used all linked dossier codes on {day}")
        return format_dossier_code(unit_code, day, sequence)
