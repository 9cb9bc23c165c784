"""Settings of the one_stop service (environment prefix ``PORTALSIM_ONE_STOP_``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field, PositiveInt, ValidationInfo, field_validator
from pydantic_settings import SettingsConfigDict

from contracts.units import is_hanoi_unit
from services.kit.policies import POLICY
from services.kit.public_api import PublicApiSettings, parse_json_text
from services.kit.tokens import ConfiguredToken

__all__ = ["OneStopSettings"]


class OneStopSettings(PublicApiSettings):
    """Settings of the one-stop desks (Bộ phận Một cửa) service."""

    model_config = SettingsConfigDict(env_prefix="PORTALSIM_ONE_STOP_", extra="ignore")

    http_port: int = Field(8104, ge=0, le=65535, description="Port of the HTTP API.")
    data_dir: Path = Field(
        Path(".portalsim/data/one_stop"), description="Folder of the service's SQLite state."
    )
    desk_capacity_per_day: PositiveInt = Field(
        400,
        description="Dossiers one desk digitises per working day (one after another).",
        json_schema_extra=POLICY,
    )
    desk_capacity_overrides: dict[str, PositiveInt] = Field(
        default_factory=dict,
        description='Per-unit capacities as JSON, e.g. {"001": 250, "00101": 60}; '
        "other desks use desk_capacity_per_day.",
        json_schema_extra=POLICY,
    )
    scan_failure_rate: float = Field(
        0.01,
        ge=0.0,
        le=1.0,
        description="Share (0-1) of paper dossiers whose scan fails; drawn from the dossier id.",
        json_schema_extra=POLICY,
    )
    e_archive: bool = Field(
        False,
        description="Policy: digitised desk dossiers are kept in an electronic archive for "
        "their procedure's retention period, and a later desk dossier of the same applicant "
        "reuses their documents (scanned faster); off as in 2022-2023 (no guidance).",
        json_schema_extra=POLICY,
    )
    desk_token_hashes: dict[str, list[ConfiguredToken]] = Field(
        default_factory=dict,
        description='Desk clerks\' tokens per unit, as JSON: {"00101": ["<sha256 hex>"]} '
        "(entries as in official_token_hashes); a desk takes dossiers in only with its own.",
    )

    @field_validator("desk_capacity_overrides", mode="before")
    @classmethod
    def _parse_overrides_json(cls, value: Any) -> Any:
        """Accept the overrides as a JSON text too (a command-line flag gives a string)."""
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @field_validator("desk_token_hashes", mode="before")
    @classmethod
    def _parse_desk_tokens_json(cls, value: Any) -> Any:
        return parse_json_text(value) or {}

    @field_validator("desk_capacity_overrides", "desk_token_hashes")
    @classmethod
    def _check_units(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        """Every desk named must be one of Hanoi's districts or communes."""
        unknown = sorted(code for code in value if not is_hanoi_unit(code))
        if unknown:
            raise ValueError(f"unknown Hanoi unit codes in {info.field_name}: {unknown}")
        return value

    def capacity_of(self, unit_code: str) -> int:
        """Dossiers per working day the desk of ``unit_code`` digitises."""
        return self.desk_capacity_overrides.get(unit_code, self.desk_capacity_per_day)
