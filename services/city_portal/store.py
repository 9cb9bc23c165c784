"""The city portal's repository: dossiers, identity checks, timelines, code sequences.

Accounts and their tokens are in `account_store`. Every method returns typed records
(`records.py`), never rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import orjson

from contracts.events import DossierSettled, DossierStatusChanged, DossierSubmitted
from services.city_portal.account_store import AccountTables
from services.city_portal.records import (
    DossierRecord,
    ExpectedCheck,
    HeldDossier,
    TimelineEntry,
)
from services.kit.store import StoreRow

__all__ = ["CityPortalStore"]


class CityPortalStore(AccountTables):
    """SQLite tables of the city portal: its accounts (`AccountTables`) and its dossiers."""

    SCHEMA = (
        AccountTables.SCHEMA
        + """
    CREATE TABLE IF NOT EXISTS dossiers (
        dossier_id TEXT PRIMARY KEY,
        dossier_code TEXT NOT NULL UNIQUE,
        procedure_code TEXT NOT NULL,
        channel TEXT NOT NULL,
        parent_dossier_id TEXT,
        status TEXT NOT NULL,
        submission BLOB NOT NULL,
        settlement BLOB,
        new_id_number TEXT,
        account_id TEXT,
        traceparent TEXT,
        kept_statuses BLOB
    );
    CREATE TABLE IF NOT EXISTS checks (
        dossier_id TEXT NOT NULL,
        role TEXT NOT NULL,
        answer BLOB,
        PRIMARY KEY (dossier_id, role)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS timeline (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        dossier_id TEXT NOT NULL,
        entry BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS timeline_by_dossier ON timeline (dossier_id, seq);
    CREATE TABLE IF NOT EXISTS code_sequences (
        unit_code TEXT NOT NULL,
        day TEXT NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (unit_code, day)
    ) WITHOUT ROWID;
    """
    )

    def migrate(self) -> None:
        """Accounts' and dossiers' columns added since a store was made."""
        super().migrate()
        if "account_id" not in self.columns("dossiers"):  # from before dossiers had owners
            self.db.execute("ALTER TABLE dossiers ADD COLUMN account_id TEXT")
            self.db.execute(
                "UPDATE dossiers SET account_id = json_extract(submission, '$.account_id')"
            )
        columns = self.columns("dossiers")
        if "traceparent" not in columns:  # from before held dossiers were traced
            self.db.execute("ALTER TABLE dossiers ADD COLUMN traceparent TEXT")
        if "kept_statuses" not in columns:  # from before status changes waited for an event
            self.db.execute(self.dialect.ddl("ALTER TABLE dossiers ADD COLUMN kept_statuses BLOB"))
        self.db.execute(  # the dossiers held for an account whose identity check is pending
            "CREATE INDEX IF NOT EXISTS dossiers_held ON dossiers (account_id)"
            " WHERE status = 'held'"
        )

    # -- dossiers -----------------------------------------------------------
    def next_sequence(self, unit_code: str, day: date, first: int) -> int:
        """The next number of a unit's daily sequence, starting at `first`."""
        return self.next_in_sequence("code_sequences", "last", unit_code, day, first)

    def add_dossier(
        self, submission: DossierSubmitted, *, held: bool = False, traceparent: str | None = None
    ) -> bytes | None:
        """Insert a submitted dossier in status received (`held`: in status held, for an
        account whose identity check is pending, with the `traceparent` of the request that
        handed it in, if traced); its stored JSON, or None when it already exists.

        The applicant's account (none for desk dossiers) is the submission's; a dossier
        recorded before its submission arrived gets it then.
        """
        stored = submission.model_dump_json().encode()
        inserted = self._insert_dossier(
            submission.dossier_id,
            submission.dossier_code,
            submission.procedure_code,
            submission.channel.value,
            submission.parent_dossier_id,
            stored,
            submission.account_id,
            "held" if held else "received",
            traceparent,
        )
        return stored if inserted else None

    def add_settled_elsewhere(self, settled: DossierSettled) -> None:
        """Record a dossier first heard of by its settlement (made by another service)."""
        self._insert_dossier(
            settled.dossier_id,
            settled.dossier_code,
            settled.procedure_code,
            settled.channel.value,
            settled.parent_dossier_id,
            b"{}",
        )

    def _insert_dossier(
        self,
        dossier_id: str,
        code: str,
        procedure: str,
        channel: str,
        parent: str | None,
        submission: bytes,
        account_id: str | None = None,
        status: str = "received",
        traceparent: str | None = None,
    ) -> bool:
        inserted = self.db.execute(
            "INSERT INTO dossiers (dossier_id, dossier_code, procedure_code, channel, "
            "parent_dossier_id, status, submission, account_id, traceparent)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                dossier_id, code, procedure, channel, parent, status, submission, account_id,
                traceparent,
            ),
        )  # fmt: skip
        if inserted.rowcount == 0:
            if account_id is not None:
                self.db.execute(
                    "UPDATE dossiers SET account_id = ?"
                    " WHERE dossier_id = ? AND account_id IS NULL",
                    (account_id, dossier_id),
                )
            return False
        return True

    def dossier(self, dossier_id: str, *, lock: bool = False) -> DossierRecord | None:
        """A dossier by id, or None; with `lock`, its row is locked until the transaction
        ends (its identity answers are counted by one replica at a time)."""
        row = self.db.execute(
            "SELECT * FROM dossiers WHERE dossier_id = ?"
            + (self.dialect.for_update if lock else ""),
            (dossier_id,),
        ).fetchone()
        return None if row is None else _dossier_record(row)

    def dossier_by_code(self, code: str) -> DossierRecord | None:
        """A dossier by its code, or None."""
        row = self.db.execute("SELECT * FROM dossiers WHERE dossier_code = ?", (code,)).fetchone()
        return None if row is None else _dossier_record(row)

    def held_dossiers(self, account_id: str) -> list[HeldDossier]:
        """The submissions held for an account (its identity check pending), by code."""
        rows = self.db.execute(
            "SELECT submission, traceparent FROM dossiers"
            " WHERE account_id = ? AND status = 'held' ORDER BY dossier_code",
            (account_id,),
        )
        return [
            HeldDossier(DossierSubmitted.model_validate_json(row["submission"]), row["traceparent"])
            for row in rows
        ]

    def release_held(self, dossier_id: str) -> None:
        """A held dossier goes on: status received (its submission is published)."""
        self.db.execute(
            "UPDATE dossiers SET status = 'received' WHERE dossier_id = ? AND status = 'held'",
            (dossier_id,),
        )

    def settled_and_kept(self, dossier_id: str) -> tuple[bool, bytes | None]:
        """Whether a dossier's final decision is recorded, and the status changes kept for
        its next event (`DossierRecord.kept_statuses`); (False, None) for an unknown one.
        What receiving a dossier recorded before needs, without its submission."""
        row = self.db.execute(
            "SELECT settlement IS NOT NULL AS settled, kept_statuses FROM dossiers"
            " WHERE dossier_id = ?",
            (dossier_id,),
        ).fetchone()
        return (False, None) if row is None else (bool(row["settled"]), row["kept_statuses"])

    def set_status(self, dossier_id: str, status: str) -> None:
        """Record a dossier's latest status (terminal ones are kept)."""
        self.db.execute(
            "UPDATE dossiers SET status = ? WHERE dossier_id = ? "
            "AND status NOT IN ('approved', 'rejected')",
            (status, dossier_id),
        )

    def keep_statuses(self, changed: DossierStatusChanged) -> None:
        """Keep status changes of a dossier for its next event (`Reaction.kept`)."""
        self.db.execute(
            "UPDATE dossiers SET kept_statuses = ? WHERE dossier_id = ?",
            (changed.model_dump_json().encode(), changed.dossier_id),
        )

    def clear_kept_statuses(self, dossier_id: str) -> None:
        """The status changes kept for the dossier's next event went with it: none kept now
        (they were read with the dossier, `DossierRecord.kept_statuses`)."""
        self.db.execute(
            "UPDATE dossiers SET kept_statuses = NULL WHERE dossier_id = ?", (dossier_id,)
        )

    def settle(self, settled: DossierSettled) -> bool:
        """Record the final decision; False when the dossier had one already."""
        cursor = self.db.execute(
            "UPDATE dossiers SET status = ?, settlement = ? WHERE dossier_id = ? "
            "AND settlement IS NULL",
            (settled.outcome.value, settled.model_dump_json().encode(), settled.dossier_id),
        )
        return bool(cursor.rowcount == 1)

    def set_new_id_number(self, dossier_id: str, id_number: str) -> None:
        """Remember the ID number a birth registration gave the child."""
        self.db.execute(
            "UPDATE dossiers SET new_id_number = ? WHERE dossier_id = ?", (id_number, dossier_id)
        )

    def counts_by_status(self) -> dict[str, int]:
        """Number of dossiers per status."""
        rows = self.db.execute("SELECT status, COUNT(*) AS n FROM dossiers GROUP BY status")
        return {row["status"]: row["n"] for row in rows}

    # -- identity checks ----------------------------------------------------
    def expect_checks(self, dossier_id: str, roles: Iterable[str]) -> None:
        """Record the checks a dossier waits for."""
        self.db.executemany(
            "INSERT INTO checks (dossier_id, role) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(dossier_id, role) for role in roles],
        )

    def answer_check(self, dossier_id: str, role: str, answer: bytes) -> None:
        """Store an answered check."""
        self.db.execute(
            "UPDATE checks SET answer = ? WHERE dossier_id = ? AND role = ?",
            (answer, dossier_id, role),
        )

    def checks(self, dossier_id: str) -> list[ExpectedCheck]:
        """Every check of a dossier, answered or not."""
        rows = self.db.execute(
            "SELECT role, answer FROM checks WHERE dossier_id = ?", (dossier_id,)
        )
        return [ExpectedCheck(row["role"], row["answer"]) for row in rows]

    # -- timeline -----------------------------------------------------------
    def record_status(self, dossier_id: str, entry: TimelineEntry) -> None:
        """Append a status change to the dossier's timeline and keep its latest status
        (a terminal one is kept)."""
        self.db.execute(
            "INSERT INTO timeline (dossier_id, entry) VALUES (?, ?)",
            (dossier_id, orjson.dumps(entry.as_json())),
        )
        self.set_status(dossier_id, entry.status)

    def timeline(self, dossier_id: str) -> list[TimelineEntry]:
        """A dossier's timeline, oldest first."""
        rows = self.db.execute(
            "SELECT entry FROM timeline WHERE dossier_id = ? ORDER BY seq", (dossier_id,)
        )
        return [TimelineEntry.from_json(orjson.loads(row["entry"])) for row in rows]


def _dossier_record(row: StoreRow) -> DossierRecord:
    return DossierRecord(
        dossier_id=row["dossier_id"],
        dossier_code=row["dossier_code"],
        procedure_code=row["procedure_code"],
        channel=row["channel"],
        parent_dossier_id=row["parent_dossier_id"],
        status=row["status"],
        submission=row["submission"],
        settlement=row["settlement"],
        new_id_number=row["new_id_number"],
        account_id=row["account_id"],
        kept_statuses=row["kept_statuses"],
    )
