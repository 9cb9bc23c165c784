"""What a run observed on the bus, in plain data: the input of the report.

Filled by `simulator.drive.collector` from every topic; read by `simulator.report`.
Kafka record timestamps (producer wall clock, ms) give wall latencies.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FaultWindow", "Observations", "Settlement", "Submission"]


@dataclass
class Submission:
    """A dossier as first seen on `dossier.submitted`."""

    dossier_id: str
    dossier_code: str
    procedure_code: str
    channel: str
    received_unit: str
    parent_dossier_id: str | None
    wall_ms: int
    received_simtime: str


@dataclass
class Settlement:
    """One distinct `dossier.settled` event (by event id)."""

    event_id: str
    dossier_id: str
    dossier_code: str
    procedure_code: str
    channel: str
    received_unit: str
    parent_dossier_id: str | None
    outcome: str
    settled_by: str
    reason_code: str | None
    reason_text: str | None
    result_document_number: str | None
    working_days_taken: float
    legal_limit_days: int | None
    within_legal_limit: bool | None
    received_simtime: str
    settled_simtime: str
    wall_ms: int


@dataclass
class FaultWindow:
    """A fault injected during the run, in wall seconds from its start."""

    service: str
    start_s: float
    end_s: float
    kind: str = "stopped"


@dataclass
class Observations:
    """Everything the collector saw, plus what the driver did."""

    wall_start_ms: int = 0
    wall_end_ms: int = 0
    submissions: dict[str, Submission] = field(default_factory=dict)
    settlements: dict[str, dict[str, Settlement]] = field(default_factory=dict)
    last_status: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: dossiers seen waiting for their ID card (a status carried on any topic, so the
    #: last status seen may be an earlier one: topics are read in no common order)
    awaiting_card: set[str] = field(default_factory=set)
    deadletters: Counter[tuple[str, str]] = field(default_factory=Counter)
    desk_queue: list[tuple[str, str, int]] = field(default_factory=list)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    events_per_topic: Counter[str] = field(default_factory=Counter)
    event_wall_ms: list[int] = field(default_factory=list)
    record_changes: Counter[str] = field(default_factory=Counter)
    unreadable: Counter[str] = field(default_factory=Counter)  # events malformed, by topic
    # filled by the driver
    accepted: dict[str, str] = field(default_factory=dict)  # dossier_id -> dossier_code
    refused: Counter[str] = field(default_factory=Counter)  # why an item never became a dossier
    intended: Counter[str] = field(default_factory=Counter)  # items by the channel set out on
    abandoned: Counter[str] = field(default_factory=Counter)  # "<stage>:desk" / "<stage>:gave_up"
    faults: list[FaultWindow] = field(default_factory=list)
    # desk dossiers: the archived dossiers each reused (desk.dossier.received v2), and the
    # dossiers of applicants who had handed in at a desk before in the run (the driver)
    desk_reused: dict[str, int] = field(default_factory=dict)
    repeat_desk: set[str] = field(default_factory=set)

    def root_settlement(self, dossier_id: str) -> Settlement | None:
        """The (first) settlement of a dossier, or None while it is open."""
        seen = self.settlements.get(dossier_id)
        if not seen:
            return None
        return min(seen.values(), key=lambda s: s.wall_ms)

    def open_dossiers(self) -> list[str]:
        """Accepted dossiers with no settlement yet."""
        return [d for d in self.accepted if d not in self.settlements]
