"""Bearer tokens of the HTTP APIs: issued at random, kept only as hashes, expiring.

A token is `secrets.token_urlsafe(32)`: 256 random bits. Services never store it,
only its SHA-256 (hex). A fast hash is right here, unlike for passwords: a 256-bit
random secret cannot be guessed, so slowing each guess down buys nothing, while
every request hashes the token it carries. Hashes are compared with
`hmac.compare_digest`, and expiry is wall-clock UTC.

Tokens configured for a run (desk clerks, officials, the simulator) reach the
services as hashes in their settings: a JSON list of entries, each the hex hash or
`{"sha256": "<hex>", "expires_at": "<ISO 8601>"}`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "BearerToken",
    "ConfiguredToken",
    "IssuedToken",
    "is_expired",
    "issue_token",
    "matches_any",
    "new_token",
    "token_hash",
    "unauthorized",
]

TOKEN_BYTES = 32
SHA256_HEX = r"^[0-9a-f]{64}$"


def new_token() -> str:
    """A fresh random token (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The SHA-256 of a token, in hex: what services store and compare."""
    return hashlib.sha256(token.encode()).hexdigest()


def utc_now() -> datetime:
    """The wall-clock time now, in UTC."""
    return datetime.now(UTC)


def is_expired(expires_at: datetime | None, now: datetime | None = None) -> bool:
    """True once `expires_at` has passed (None never expires)."""
    return expires_at is not None and (now or utc_now()) >= expires_at


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: the plain text goes to its holder once, the hash to the store."""

    token: str
    sha256: str
    expires_at: datetime


def issue_token(ttl: timedelta, now: datetime | None = None) -> IssuedToken:
    """A new token valid for `ttl` from now."""
    token = new_token()
    return IssuedToken(token, token_hash(token), (now or utc_now()) + ttl)


class ConfiguredToken(BaseModel):
    """A token configured for a run, by its hash; the plain hex hash is accepted too."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str = Field(pattern=SHA256_HEX, description="SHA-256 of the token, lower-case hex.")
    expires_at: AwareDatetime | None = Field(None, description="When it stops working, if ever.")

    @model_validator(mode="before")
    @classmethod
    def _from_plain_hash(cls, value: Any) -> Any:
        return {"sha256": value} if isinstance(value, str) else value


def matches_any(
    token: str, configured: Iterable[ConfiguredToken], now: datetime | None = None
) -> bool:
    """True when the token is one of these configured ones and has not expired."""
    presented = token_hash(token)
    found = False
    for entry in configured:  # no early exit: every entry is compared
        if hmac.compare_digest(presented, entry.sha256) and not is_expired(entry.expires_at, now):
            found = True
    return found


def unauthorized(detail: str = "Not authenticated") -> HTTPException:
    """401 asking for a bearer token."""
    return HTTPException(401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


_bearer = HTTPBearer(
    scheme_name="bearer",
    description="`Authorization: Bearer <token>`: an account's token from POST /accounts, "
    "or a desk or official token configured for the run.",
)


async def _bearer_token(  # async: a plain `def` would cost a thread hop per request
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(_bearer)],
) -> str:
    return credentials.credentials


#: FastAPI dependency: the request's bearer token; 401 with `WWW-Authenticate: Bearer`
#: when the `Authorization` header is missing or not a bearer token.
BearerToken = Annotated[str, Depends(_bearer_token)]
