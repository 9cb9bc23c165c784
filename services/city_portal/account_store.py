"""The city portal's account tables: accounts, and their tokens (by hash only)."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from contracts.events import AccountKind, AccountStatus
from contracts.people import DeclaredPerson
from services.city_portal.records import Account
from services.kit.store import ServiceStore
from services.kit.tokens import is_expired, utc_now

__all__ = ["AccountTables"]


class AccountTables(ServiceStore):
    """Accounts and account tokens; the base of the city portal's store."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS accounts (
        account_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        id_number TEXT,
        person BLOB NOT NULL,
        client_ref TEXT
    );
    CREATE TABLE IF NOT EXISTS account_tokens (
        token_sha256 TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS account_tokens_by_expiry ON account_tokens (expires_at_ms);
    """

    def migrate(self) -> None:
        """The accounts' columns added since a store was made."""
        super().migrate()
        if "client_ref" not in self.columns("accounts"):  # from before accounts kept their key
            self.db.execute("ALTER TABLE accounts ADD COLUMN client_ref TEXT")

    # -- accounts -----------------------------------------------------------
    def put_account(self, account: Account) -> None:
        """Insert or replace an account."""
        person = account.person.model_dump(mode="json")
        self.db.execute(
            "INSERT INTO accounts"
            " (account_id, kind, status, reason, id_number, person, client_ref)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET"
            " kind = excluded.kind, status = excluded.status, reason = excluded.reason,"
            " id_number = excluded.id_number, person = excluded.person,"
            " client_ref = excluded.client_ref",
            (
                account.account_id,
                account.kind.value,
                account.status.value,
                account.reason,
                person.get("id_number"),
                orjson.dumps(person),
                account.client_ref,
            ),
        )

    def account(self, account_id: str) -> Account | None:
        """An account, or None."""
        row = self.db.execute(
            "SELECT * FROM accounts WHERE account_id = ?", (account_id,)
        ).fetchone()
        if row is None:
            return None
        return Account(
            account_id=row["account_id"],
            kind=AccountKind(row["kind"]),
            status=AccountStatus(row["status"]),
            person=DeclaredPerson.model_validate_json(row["person"]),
            reason=row["reason"],
            client_ref=row["client_ref"],
        )

    def account_status(self, account_id: str) -> AccountStatus | None:
        """An account's status, or None when it is unknown."""
        row = self.db.execute(
            "SELECT status FROM accounts WHERE account_id = ?", (account_id,)
        ).fetchone()
        return None if row is None else AccountStatus(row["status"])

    def account_refusal(self, account_id: str) -> str | None:
        """Why the account was refused ("refused" when no reason was kept); None when it is
        not refused or unknown."""
        row = self.db.execute(
            "SELECT reason FROM accounts WHERE account_id = ? AND status = 'refused'",
            (account_id,),
        ).fetchone()
        return None if row is None else str(row["reason"] or "refused")

    # -- account tokens (hashes only) ---------------------------------------
    def add_token(self, token_sha256: str, account_id: str, expires_at: datetime) -> None:
        """Keep a token's hash for an account until it expires; expired ones are dropped."""
        expires_at_ms = int(expires_at.timestamp() * 1000)
        now_ms = int(utc_now().timestamp() * 1000)
        self.db.execute("DELETE FROM account_tokens WHERE expires_at_ms <= ?", (now_ms,))
        self.db.execute(
            "INSERT INTO account_tokens (token_sha256, account_id, expires_at_ms)"
            " VALUES (?, ?, ?) ON CONFLICT (token_sha256) DO UPDATE SET"
            " account_id = excluded.account_id, expires_at_ms = excluded.expires_at_ms",
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
