"""Settings of the one_stop service (environment prefix ``PORTALSIM_ONE_STOP_``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field, PositiveInt, field_validator
from pydantic_settings import SettingsConfigDict

from contracts.units import is_hanoi_unit
from services.kit.settings import ServiceSettings

__all__ = ["OneStopSettings"]


class OneStopSettings(ServiceSettings):
    """Settings of the one-stop desks (Bộ phận Một cửa) service."""

    model_config = SettingsConfigDict(env_prefix="PORTALSIM_ONE_STOP_", extra="ignore")

    http_port: int = Field(8104, ge=0, le=65535, description="Port of the HTTP API.")
    data_dir: Path = Field(
        Path(".portalsim/data/one_stop"), description="Folder of the service's SQLite state."
    )
    desk_capacity_per_day: PositiveInt = Field(
        400, description="Dossiers one desk digitises per working day (one after another)."
    )
    desk_capacity_overrides: dict[str, PositiveInt] = Field(
        default_factory=dict,
        description='Per-unit capacities as JSON, e.g. {"001": 250, "00101": 60}; '
        "other desks use desk_capacity_per_day.",
    )
    scan_failure_rate: float = Field(
        0.01,
        ge=0.0,
        le=1.0,
        description="Share (0-1) of paper dossiers whose scan fails; drawn from the dossier id.",
    )

    @field_validator("desk_capacity_overrides", mode="before")
    @classmethod
    def _parse_overrides_json(cls, value: Any) -> Any:
        """Accept the overrides as a JSON text too (a command-line flag gives a string)."""
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @field_validator("desk_capacity_overrides")
    @classmethod
    def _check_override_units(cls, value: dict[str, int]) -> dict[str, int]:
        """Every overridden desk must be one of Hanoi's districts or communes."""
        unknown = sorted(code for code in value if not is_hanoi_unit(code))
        if unknown:
            raise ValueError(f"unknown Hanoi unit codes in desk_capacity_overrides: {unknown}")
        return value

    def capacity_of(self, unit_code: str) -> int:
        """Dossiers per working day the desk of ``unit_code`` digitises."""
        return self.desk_capacity_overrides.get(unit_code, self.desk_capacity_per_day)
