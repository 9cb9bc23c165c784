"""Settings of the city portal (env prefix PORTALSIM_CITY_PORTAL_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from contracts.catalogue import Portal
from services.kit.http_types import ProcedureCode
from services.kit.policies import POLICY
from services.kit.public_api import PublicApiSettings

__all__ = ["CityPortalSettings"]


class CityPortalSettings(PublicApiSettings):
    """Hanoi's public-service portal: accounts, submissions, its 3 civil-status procedures."""

    model_config = SettingsConfigDict(env_prefix="PORTALSIM_CITY_PORTAL_", extra="ignore")

    http_port: int = Field(8101, ge=0, le=65535, description="Port of the HTTP API.")
    data_dir: Path = Field(
        Path(".portalsim/data/city_portal"), description="Folder of the service's SQLite state."
    )
    foreigners_may_register: bool = Field(
        False,
        description="Policy: foreigners may open accounts (by passport and nationality).",
        json_schema_extra=POLICY,
    )
    marriage_min_age_male: int = Field(
        20,
        ge=0,
        le=120,
        description="Minimum age of the man.",
        json_schema_extra=POLICY,
    )
    marriage_min_age_female: int = Field(
        18,
        ge=0,
        le=120,
        description="Minimum age of the woman.",
        json_schema_extra=POLICY,
    )
    routing_overrides: dict[ProcedureCode, Portal] = Field(
        default_factory=dict,
        description='Procedure code -> settling portal, as JSON: {"1.001193": "national_portal"}.',
        json_schema_extra=POLICY,
    )
    account_check_wait_seconds: float = Field(
        0.0,
        ge=0,
        description="How long POST /accounts waits for the identity check (0: it answers "
        "at once, pending; dossiers submitted meanwhile are held).",
    )
    token_ttl_seconds: int = Field(
        86400, ge=1, description="How long an account's token from POST /accounts works."
    )
