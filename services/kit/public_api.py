"""What the public HTTP APIs (city portal, one-stop desks) share: body cap, official tokens.

Their settings derive from `PublicApiSettings`; `guard_public_api` installs the
body cap on the FastAPI app; `official_check` is the dependency of the routes only
officials (and the simulator acting as one) may call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from pydantic import Field

from services.kit.body_limit import BodyLimit
from services.kit.settings import ServiceSettings, parse_json_text
from services.kit.tokens import BearerToken, matches_any, unauthorized

__all__ = ["PublicApiSettings", "guard_public_api", "official_check", "parse_json_text"]


class PublicApiSettings(ServiceSettings):
    """Settings of a service whose HTTP API faces the public."""

    max_body_bytes: int = Field(
        64 * 1024, ge=1024, description="Largest request body accepted; larger ones get 413."
    )


def guard_public_api(http: FastAPI, settings: PublicApiSettings) -> None:
    """Install the request body cap of these settings."""
    http.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)


def official_check(settings: ServiceSettings) -> Callable[[str], Awaitable[None]]:
    """A dependency letting only a configured, unexpired official token through (else 401)."""

    async def require_official(token: BearerToken) -> None:
        if not matches_any(token, settings.official_token_hashes):
            raise unauthorized("an official token is needed")

    return require_official
