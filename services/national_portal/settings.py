"""Settings of the national portal (env prefix PORTALSIM_NATIONAL_PORTAL_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.kit.policies import POLICY
from services.kit.settings import ServiceSettings

__all__ = ["NationalPortalSettings"]


class NationalPortalSettings(ServiceSettings):
    """National Public Service Portal: ministry portal adapters and linked-group orchestration."""

    model_config = SettingsConfigDict(env_prefix="PORTALSIM_NATIONAL_PORTAL_", extra="ignore")

    http_port: int = Field(8103, ge=0, le=65535, description="Port of the HTTP API.")
    data_dir: Path = Field(
        Path(".portalsim/data/national_portal"),
        description="Folder of the service's SQLite state.",
    )
    rejection_rate: float = Field(
        0.03,
        ge=0.0,
        le=1.0,
        description="Share of dossiers an adapter rejects as incomplete (hồ sơ chưa đầy đủ), "
        "drawn deterministically from the dossier id.",
        json_schema_extra=POLICY,
    )
    late_rate: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Share of dossiers with a legal time limit that an adapter settles after it.",
        json_schema_extra=POLICY,
    )
    id_card_capacity_per_day: float = Field(
        24_000.0,
        ge=0,
        description="0: no card line (each card done when verified). "
        "Chip ID cards (CCCD, procedure 2) Public Security produces and returns a "
        "working day; the default is Hanoi's 2022 pace (6.0 million cards returned in the year "
        "/ 250 working days, the one-year review of Project 06, February 2023).",
        json_schema_extra=POLICY,
    )
    card_line_follows_clock: bool = Field(
        False,
        description="Hold each verified ID card until the simulator's clock "
        "(simulated.clock.advanced) says every application received before it was ready has "
        "been taken, so the card line serves cards in simulated order (the same in every run "
        "of a seed); portalsim run and replay set it for the services they start. Off, the "
        "line serves them in the order the portal takes them.",
    )
