"""Who calls the city portal's API: an account holder or an official, by bearer token.

An account's token comes from `POST /accounts` and is looked up by its hash in the
store; an official's token (officials and the simulator reading any dossier) is one
of the hashes configured in `official_token_hashes`.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.city_portal.settings import CityPortalSettings
from services.city_portal.store import CityPortalStore
from services.kit.store import StoreWorker
from services.kit.tokens import BearerToken, matches_any, token_hash, unauthorized

__all__ = ["Caller", "CallerChecks"]


@dataclass(frozen=True)
class Caller:
    """The holder of a bearer token: an account (its id) or an official."""

    account_id: str | None = None
    official: bool = False

    def may_read(self, owner_account_id: str | None) -> bool:
        """True for an official, or for the account that owns the thing read."""
        return self.official or (
            self.account_id is not None and self.account_id == owner_account_id
        )


@dataclass(frozen=True)
class CallerChecks:
    """FastAPI dependencies resolving the bearer token of a request."""

    settings: CityPortalSettings
    worker: StoreWorker
    store: CityPortalStore

    async def account_holder(self, token: BearerToken) -> str:
        """Dependency: the id of the token's account; 401 for any other token."""
        account_id = await self.worker.run(self.store.token_account, token_hash(token))
        if account_id is None:
            raise unauthorized("unknown or expired account token")
        return account_id

    async def caller(self, token: BearerToken) -> Caller:
        """Dependency: an official or an account holder; 401 for an unknown or expired token."""
        if matches_any(token, self.settings.official_token_hashes):
            return Caller(official=True)
        return Caller(account_id=await self.account_holder(token))
