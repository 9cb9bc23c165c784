"""The one_stop store: desk dossiers, desk states, daily code sequences, the desks' clock.

Simulated moments are stored as integer microseconds since the Unix epoch (UTC), so
SQL compares them exactly; they come back as Hanoi-time datetimes. Every method runs
on the store's worker thread, inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from contracts.events import DossierSettled, Outcome
from contracts.worktime import HANOI_TZ
from services.kit.store import ServiceStore, StoreRow
from services.one_stop.domain import DeskDossier, DigitisationSlot, next_desk_sequence
from services.one_stop.domain.archive import ArchivedDossier

__all__ = ["DeskState", "OneStopStore", "from_us", "to_us"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def to_us(moment: datetime) -> int:
    """A timezone-aware moment as integer microseconds since the epoch."""
    return (moment - _EPOCH) // _MICROSECOND


def from_us(micros: int) -> datetime:
    """Integer microseconds since the epoch as a Hanoi-time moment."""
    return (_EPOCH + micros * _MICROSECOND).astimezone(HANOI_TZ)


def _maybe(micros: int | None) -> datetime | None:
    return None if micros is None else from_us(micros)


@dataclass(frozen=True)
class DeskState:
    """A desk's digitisation state."""

    unit_code: str
    free_at: datetime | None
    peak_queue: int
    dossiers_received: int
    scan_failures: int


class OneStopStore(ServiceStore):
    """Repository of the one-stop desks."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS desk_dossiers (
        dossier_id TEXT PRIMARY KEY,
        client_ref TEXT,
        unit_code TEXT NOT NULL,
        dossier_code TEXT NOT NULL UNIQUE,
        procedure_code TEXT NOT NULL,
        received_us INTEGER NOT NULL,
        start_us INTEGER NOT NULL,
        done_us INTEGER NOT NULL,
        scan_failed INTEGER NOT NULL,
        departed INTEGER NOT NULL DEFAULT 0,
        outcome TEXT,
        settled_by TEXT,
        result_document_number TEXT,
        reason_code TEXT,
        settled_us INTEGER,
        returned INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS desk_dossiers_by_done ON desk_dossiers (unit_code, done_us);
    CREATE INDEX IF NOT EXISTS desk_dossiers_departing ON desk_dossiers (done_us)
        WHERE departed = 0;
    CREATE TABLE IF NOT EXISTS desks (
        unit_code TEXT PRIMARY KEY,
        free_at_us INTEGER,
        peak_queue INTEGER NOT NULL DEFAULT 0,
        dossiers_received INTEGER NOT NULL DEFAULT 0,
        scan_failures INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS desk_sequences (
        unit_code TEXT NOT NULL,
        day TEXT NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (unit_code, day)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS e_archive (
        dossier_id TEXT PRIMARY KEY,
        dossier_code TEXT NOT NULL,
        procedure_code TEXT NOT NULL,
        id_number TEXT NOT NULL,
        kept_from_us INTEGER NOT NULL,
        kept_until_us INTEGER NOT NULL,
        result_document_number TEXT
    );
    CREATE INDEX IF NOT EXISTS e_archive_by_person ON e_archive (id_number);
    CREATE TABLE IF NOT EXISTS desk_clock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        clock_us INTEGER NOT NULL
    );
    """

    # -- dossiers -----------------------------------------------------------------
    def dossier(self, dossier_id: str) -> DeskDossier | None:
        """The desk dossier with this id, if this service took it in."""
        row = self.db.execute(
            "SELECT * FROM desk_dossiers WHERE dossier_id = ?", (dossier_id,)
        ).fetchone()
        return None if row is None else _desk_dossier(row)

    def insert_dossier(self, dossier: DeskDossier) -> None:
        """Store a newly taken-in dossier."""
        slot = dossier.slot
        self.db.execute(
            "INSERT INTO desk_dossiers (dossier_id, client_ref, unit_code, dossier_code,"
            " procedure_code, received_us, start_us, done_us, scan_failed)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                dossier.dossier_id,
                dossier.client_ref,
                dossier.unit_code,
                dossier.dossier_code,
                dossier.procedure_code,
                to_us(slot.received),
                to_us(slot.start),
                to_us(slot.done),
                int(dossier.scan_failed),
            ),
        )

    def record_settlement(self, settled: DossierSettled) -> None:
        """Record a desk dossier's decision and that it was returned at the desk."""
        self.db.execute(
            "UPDATE desk_dossiers SET outcome = ?, settled_by = ?, result_document_number = ?,"
            " reason_code = ?, settled_us = ?, returned = 1 WHERE dossier_id = ?",
            (
                str(settled.outcome),
                str(settled.settled_by),
                settled.result_document_number,
                settled.reason_code,
                to_us(settled.settled_simtime),
                settled.dossier_id,
            ),
        )
        self.db.execute(
            "UPDATE e_archive SET result_document_number = ? WHERE dossier_id = ?",
            (settled.result_document_number, settled.dossier_id),
        )

    # -- codes --------------------------------------------------------------------
    def next_sequence(self, unit_code: str, day: date) -> int:
        """Allocate the next number of the unit's daily sequence in the desks' block."""
        key = (unit_code, day.isoformat())
        row = self.db.execute(
            "SELECT last FROM desk_sequences WHERE unit_code = ? AND day = ?", key
        ).fetchone()
        sequence = next_desk_sequence(None if row is None else row["last"])
        self.db.execute(
            "INSERT INTO desk_sequences (unit_code, day, last) VALUES (?, ?, ?)"
            " ON CONFLICT (unit_code, day) DO UPDATE SET last = excluded.last",
            (*key, sequence),
        )
        return sequence

    # -- desks and queues ---------------------------------------------------------
    def desk(self, unit_code: str) -> DeskState | None:
        """The state of a desk, none if it never took a dossier in."""
        row = self.db.execute("SELECT * FROM desks WHERE unit_code = ?", (unit_code,)).fetchone()
        return None if row is None else _desk_state(row)

    def desks(self) -> list[DeskState]:
        """Every desk that took a dossier in, by unit code."""
        rows = self.db.execute("SELECT * FROM desks ORDER BY unit_code").fetchall()
        return [_desk_state(row) for row in rows]

    def save_desk(
        self, unit_code: str, free_at: datetime, queue_at_arrival: int, scan_failed: bool
    ) -> None:
        """Record an arrival: the desk's new free moment, its peak queue and counts."""
        self.db.execute(
            "INSERT INTO desks (unit_code, free_at_us, peak_queue, dossiers_received,"
            " scan_failures) VALUES (?, ?, ?, 1, ?)"
            " ON CONFLICT (unit_code) DO UPDATE SET free_at_us = excluded.free_at_us,"
            " peak_queue = CASE WHEN excluded.peak_queue > desks.peak_queue"
            " THEN excluded.peak_queue ELSE desks.peak_queue END,"
            " dossiers_received = desks.dossiers_received + 1,"
            " scan_failures = desks.scan_failures + excluded.scan_failures",
            (unit_code, to_us(free_at), queue_at_arrival, int(scan_failed)),
        )

    def queue_length(self, unit_code: str, moment: datetime) -> int:
        """Dossiers of the desk waiting or being scanned at ``moment`` (received <= t < done).

        The SQL form of :func:`services.one_stop.domain.queue_length_at`."""
        at = to_us(moment)
        row = self.db.execute(
            "SELECT COUNT(*) FROM desk_dossiers"
            " WHERE unit_code = ? AND done_us > ? AND received_us <= ?",
            (unit_code, at, at),
        ).fetchone()
        return int(row[0])

    def due_departures(self, up_to: datetime) -> list[DeskDossier]:
        """Dossiers whose digitisation ended by ``up_to`` and whose departure is unpublished."""
        rows = self.db.execute(
            "SELECT * FROM desk_dossiers WHERE departed = 0 AND done_us <= ?"
            " ORDER BY done_us, dossier_id",
            (to_us(up_to),),
        ).fetchall()
        return [_desk_dossier(row) for row in rows]

    def mark_departed(self, dossier_id: str) -> None:
        """Record that a dossier's departure from its queue was published."""
        self.db.execute("UPDATE desk_dossiers SET departed = 1 WHERE dossier_id = ?", (dossier_id,))

    # -- the electronic archive ----------------------------------------------------
    def keep(self, entry: ArchivedDossier) -> None:
        """Keep a digitised dossier in the archive."""
        self.db.execute(
            "INSERT INTO e_archive (dossier_id, dossier_code, procedure_code, id_number,"
            " kept_from_us, kept_until_us) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                entry.dossier_id,
                entry.dossier_code,
                entry.procedure_code,
                entry.id_number,
                to_us(entry.kept_from),
                to_us(entry.kept_until),
            ),
        )

    def archived_of(self, id_number: str) -> list[ArchivedDossier]:
        """The archived dossiers of one applicant (any moment)."""
        rows = self.db.execute(
            "SELECT * FROM e_archive WHERE id_number = ? ORDER BY kept_from_us, dossier_id",
            (id_number,),
        ).fetchall()
        return [
            ArchivedDossier(
                row["dossier_id"],
                row["dossier_code"],
                row["procedure_code"],
                row["id_number"],
                from_us(row["kept_from_us"]),
                from_us(row["kept_until_us"]),
            )
            for row in rows
        ]

    # -- the desks' simulated clock -----------------------------------------------
    def clock(self) -> datetime | None:
        """The latest simulated moment known to the desks, none before the first."""
        row = self.db.execute("SELECT clock_us FROM desk_clock WHERE id = 1").fetchone()
        return None if row is None else from_us(row["clock_us"])

    def advance_clock(self, moment: datetime) -> datetime:
        """Move the clock forward to ``moment`` (never back); return the clock."""
        current = self.clock()
        if current is not None and current >= moment:
            return current
        self.db.execute(
            "INSERT INTO desk_clock (id, clock_us) VALUES (1, ?)"
            " ON CONFLICT (id) DO UPDATE SET clock_us = excluded.clock_us",
            (to_us(moment),),
        )
        return moment.astimezone(HANOI_TZ)


def _desk_dossier(row: StoreRow) -> DeskDossier:
    return DeskDossier(
        dossier_id=row["dossier_id"],
        client_ref=row["client_ref"],
        unit_code=row["unit_code"],
        dossier_code=row["dossier_code"],
        procedure_code=row["procedure_code"],
        slot=DigitisationSlot(
            received=from_us(row["received_us"]),
            start=from_us(row["start_us"]),
            done=from_us(row["done_us"]),
        ),
        scan_failed=bool(row["scan_failed"]),
        outcome=None if row["outcome"] is None else Outcome(row["outcome"]),
        returned=bool(row["returned"]),
    )


def _desk_state(row: StoreRow) -> DeskState:
    return DeskState(
        unit_code=row["unit_code"],
        free_at=_maybe(row["free_at_us"]),
        peak_queue=row["peak_queue"],
        dossiers_received=row["dossiers_received"],
        scan_failures=row["scan_failures"],
    )
