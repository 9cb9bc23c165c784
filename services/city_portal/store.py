"""The city portal's repository: accounts, dossiers, identity checks, timelines, code sequences."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from services.kit.store import ServiceStore
from services.kit.tokens import is_expired, utc_now

__all__ = ["CityPortalStore"]


class CityPortalStore(ServiceStore):
    """SQLite tables of the city portal."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS accounts (
        account_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        id_number TEXT,
        person TEXT NOT NULL,
        client_ref TEXT
    );
    CREATE TABLE IF NOT EXISTS dossiers (
        dossier_id TEXT PRIMARY KEY,
        dossier_code TEXT NOT NULL UNIQUE,
        procedure_code TEXT NOT NULL,
        channel TEXT NOT NULL,
        parent_dossier_id TEXT,
        status TEXT NOT NULL,
        submission TEXT NOT NULL,
        settlement TEXT,
        new_id_number TEXT,
        account_id TEXT
    );
    CREATE TABLE IF NOT EXISTS account_tokens (
        token_sha256 TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS account_tokens_by_expiry ON account_tokens (expires_at_ms);
    CREATE TABLE IF NOT EXISTS checks (
        dossier_id TEXT NOT NULL,
        role TEXT NOT NULL,
        answer TEXT,
        PRIMARY KEY (dossier_id, role)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS timeline (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        dossier_id TEXT NOT NULL,
        entry TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS timeline_by_dossier ON timeline (dossier_id, seq);
    CREATE TABLE IF NOT EXISTS code_sequences (
        unit_code TEXT NOT NULL,
        day TEXT NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (unit_code, day)
    ) WITHOUT ROWID;
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(accounts)")}
        if "client_ref" not in columns:  # a data folder from before accounts kept their key
            self.db.execute("ALTER TABLE accounts ADD COLUMN client_ref TEXT")
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(dossiers)")}
        if "account_id" not in columns:  # a data folder from before dossiers had owners
            self.db.execute("ALTER TABLE dossiers ADD COLUMN account_id TEXT")
            self.db.execute(
                "UPDATE dossiers SET account_id = json_extract(submission, '$.account_id')"
            )

    # -- accounts -----------------------------------------------------------
    def put_account(
        self,
        account_id: str,
        kind: str,
        status: str,
        person: dict[str, Any],
        reason: str | None = None,
        client_ref: str | None = None,
    ) -> None:
        """Insert or replace an account (`client_ref`: the registration's idempotency key)."""
        self.db.execute(
            "INSERT OR REPLACE INTO accounts"
            " (account_id, kind, status, reason, id_number, person, client_ref)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                account_id,
                kind,
                status,
                reason,
                person.get("id_number"),
                orjson.dumps(person),
                client_ref,
            ),
        )

    def account(self, account_id: str) -> dict[str, Any] | None:
        """An account as a dict, or None."""
        row = self.db.execute("SELECT * FROM accounts WHERE account_id = ?", (account_id,))
        found = row.fetchone()
        if found is None:
            return None
        account = dict(found)
        account["person"] = orjson.loads(account["person"])
        return account

    # -- account tokens (hashes only) ---------------------------------------
    def add_token(self, token_sha256: str, account_id: str, expires_at: datetime) -> None:
        """Keep a token's hash for an account until it expires; expired ones are dropped."""
        expires_at_ms = int(expires_at.timestamp() * 1000)
        now_ms = int(utc_now().timestamp() * 1000)
        self.db.execute("DELETE FROM account_tokens WHERE expires_at_ms <= ?", (now_ms,))
        self.db.execute(
            "INSERT OR REPLACE INTO account_tokens VALUES (?, ?, ?)",
            (token_sha256, account_id, expires_at_ms),
        )

    def token_account(self, token_sha256: str) -> str | None:
        """The account a token (by its hash) belongs to, while it has not expired."""
        row = self.db.execute(
            "SELECT account_id, expires_at_ms FROM account_tokens WHERE token_sha256 = ?",
            (token_sha256,),
        ).fetchone()
        if row is None:
            return None
        expires_at = datetime.fromtimestamp(row["expires_at_ms"] / 1000, UTC)
        return None if is_expired(expires_at) else str(row["account_id"])

    # -- dossiers -----------------------------------------------------------
    def next_sequence(self, unit_code: str, day: date, first: int) -> int:
        """The next number of a unit's daily sequence, starting at `first`."""
        key = (unit_code, day.isoformat())
        row = self.db.execute(
            "SELECT last FROM code_sequences WHERE unit_code = ? AND day = ?", key
        ).fetchone()
        number = first if row is None else row["last"] + 1
        self.db.execute("INSERT OR REPLACE INTO code_sequences VALUES (?, ?, ?)", (*key, number))
        return number

    def add_dossier(
        self,
        dossier_id: str,
        code: str,
        procedure: str,
        channel: str,
        parent: str | None,
        submission: bytes,
        account_id: str | None = None,
    ) -> bool:
        """Insert a dossier in status received; False when it already exists.

        `account_id` is the applicant's account (none for desk dossiers); a dossier
        recorded before its submission arrived gets it then.
        """
        try:
            self.db.execute(
                "INSERT INTO dossiers (dossier_id, dossier_code, procedure_code, channel, "
                "parent_dossier_id, status, submission, account_id)"
                " VALUES (?, ?, ?, ?, ?, 'received', ?, ?)",
                (dossier_id, code, procedure, channel, parent, submission, account_id),
            )
        except sqlite3.IntegrityError:
            if account_id is not None:
                self.db.execute(
                    "UPDATE dossiers SET account_id = ?"
                    " WHERE dossier_id = ? AND account_id IS NULL",
                    (account_id, dossier_id),
                )
            return False
        return True

    def dossier(self, dossier_id: str) -> sqlite3.Row | None:
        """A dossier row by id."""
        return self.db.execute(
            "SELECT * FROM dossiers WHERE dossier_id = ?", (dossier_id,)
        ).fetchone()

    def dossier_by_code(self, code: str) -> sqlite3.Row | None:
        """A dossier row by its code."""
        return self.db.execute("SELECT * FROM dossiers WHERE dossier_code = ?", (code,)).fetchone()

    def set_status(self, dossier_id: str, status: str) -> None:
        """Record a dossier's latest status (terminal ones are kept)."""
        self.db.execute(
            "UPDATE dossiers SET status = ? WHERE dossier_id = ? "
            "AND status NOT IN ('approved', 'rejected')",
            (status, dossier_id),
        )

    def settle(self, dossier_id: str, outcome: str, settlement: bytes) -> bool:
        """Record the final decision; False when the dossier had one already."""
        cursor = self.db.execute(
            "UPDATE dossiers SET status = ?, settlement = ? WHERE dossier_id = ? "
            "AND settlement IS NULL",
            (outcome, settlement, dossier_id),
        )
        return cursor.rowcount == 1

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
    def expect_checks(self, dossier_id: str, roles: list[str]) -> None:
        """Record the checks a dossier waits for."""
        self.db.executemany(
            "INSERT OR IGNORE INTO checks (dossier_id, role) VALUES (?, ?)",
            [(dossier_id, role) for role in roles],
        )

    def answer_check(self, dossier_id: str, role: str, answer: bytes) -> None:
        """Store an answered check."""
        self.db.execute(
            "UPDATE checks SET answer = ? WHERE dossier_id = ? AND role = ?",
            (answer, dossier_id, role),
        )

    def checks(self, dossier_id: str) -> list[tuple[str, bytes | None]]:
        """(role, answer or None) of every check of a dossier."""
        rows = self.db.execute(
            "SELECT role, answer FROM checks WHERE dossier_id = ?", (dossier_id,)
        )
        return [(row["role"], row["answer"]) for row in rows]

    # -- timeline -----------------------------------------------------------
    def add_timeline(self, dossier_id: str, entry: dict[str, Any]) -> None:
        """Append one entry to a dossier's timeline."""
        self.db.execute(
            "INSERT INTO timeline (dossier_id, entry) VALUES (?, ?)",
            (dossier_id, orjson.dumps(entry)),
        )

    def timeline(self, dossier_id: str) -> list[dict[str, Any]]:
        """A dossier's timeline, oldest first."""
        rows = self.db.execute(
            "SELECT entry FROM timeline WHERE dossier_id = ? ORDER BY seq", (dossier_id,)
        )
        return [orjson.loads(row["entry"]) for row in rows]
