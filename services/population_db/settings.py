"""Settings of the population database service (env prefix ``PORTALSIM_POPULATION_DB_``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.kit.policies import POLICY
from services.kit.settings import ServiceSettings

__all__ = ["PopulationDbSettings"]


class PopulationDbSettings(ServiceSettings):
    """The national population database (CSDL quốc gia về dân cư)."""

    model_config = SettingsConfigDict(env_prefix="PORTALSIM_POPULATION_DB_", extra="ignore")

    http_port: int = Field(8102, ge=0, le=65535, description="Port of the HTTP API.")
    data_dir: Path = Field(
        Path(".portalsim/data/population_db"), description="Folder of the service's SQLite state."
    )
    population_size: int = Field(
        100_000,
        ge=0,
        le=20_000_000,
        description="People in the synthetic population seeded at the first start "
        "(a different size or seed reseeds).",
    )
    population_seed: int = Field(
        6, description="Seed of the synthetic population; the simulator must use the same one."
    )
    check_delay_ms: int = Field(
        0,
        ge=0,
        le=60_000,
        description="Fault scenario: each identity check takes this many real milliseconds "
        "longer (a slow population database).",
        json_schema_extra=POLICY,
    )
    dirty_children_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Population property: share of children's (under 14) records that are not "
        "complete and fail identity checks until cleaned.",
    )
    dirty_merit_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Population property: share of the records of people aged 60 or more "
        "(standing for people with merit) that are not complete.",
    )
    dirty_moved_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Population property: share of the records of people 14 or older that "
        "still show a residence they moved from.",
    )
    records_as_of: date = Field(
        date(2026, 3, 2),
        description="The day the dirty records are judged (ages) and the cleaning campaign "
        "starts (08:00); the simulator gives the scenario's start_date.",
    )
    record_cleaning_per_day: float = Field(
        0.0,
        ge=0,
        description="Policy: dirty records the cleaning campaign cleans a working day "
        "(0: no campaign, the records stay dirty).",
        json_schema_extra=POLICY,
    )
