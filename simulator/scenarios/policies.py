"""A scenario's policies: what the services are told to do during a run (scenario files'
`policies:` section, and each variant's), each with its 2022-2023 default."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.catalogue import Portal
from contracts.units import is_hanoi_unit

__all__ = ["Policies", "StrictModel"]


class StrictModel(BaseModel):
    """A scenario file's section: unknown fields refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Policies(StrictModel):
    """Policies: settings of the services, and two that act on the applicants (the help
    against friction online: `digital_teams_per_commune`, `simple_sign_in`)."""

    foreigners_may_register: bool = Field(False, description="Foreigners may open accounts.")
    routing_overrides: dict[str, Portal] = Field(
        default_factory=dict, description="Procedure code -> the portal that settles it."
    )
    desk_capacity_per_day: int = Field(400, ge=1, description="Dossiers a desk digitises a day.")
    desk_capacity_overrides: dict[str, int] = Field(
        default_factory=dict, description="Unit code -> its desk capacity per day."
    )
    scan_failure_rate: float = Field(0.01, ge=0, le=1, description="Share of failed scans.")
    marriage_min_age_male: int = Field(20, ge=0, le=120, description="Minimum age of the man.")
    marriage_min_age_female: int = Field(18, ge=0, le=120, description="Minimum age of the woman.")
    ministry_rejection_rate: float = Field(
        0.03, ge=0, le=1, description="Share of dossiers ministries reject as incomplete."
    )
    digital_teams_per_commune: float = Field(
        0.0, ge=0, le=100, description="Community digital teams helping online, per commune."
    )
    simple_sign_in: bool = Field(False, description="Sign in with VNeID instead of registering.")
    e_archive: bool = Field(
        False,
        description="The desks keep digitised dossiers in an electronic archive and reuse "
        "an applicant's archived documents (no guidance in 2022-2023: off).",
    )
    record_cleaning_per_day: float = Field(
        0.0,
        ge=0,
        description="Dirty population records a cleaning campaign cleans a working day, in "
        "the run's population, from start_date (0: no campaign).",
    )
    id_card_capacity_per_day: float = Field(
        24_000.0,
        ge=0,
        description="0: no card line (each card done when verified). "
        "Chip ID cards Public Security produces and returns a working day, at "
        "Hanoi's scale (2022: 6.0 million a year / 250 = 24,000); a run gives the national "
        "portal this times `demand.scale`, like the volumes.",
    )

    @field_validator("desk_capacity_overrides")
    @classmethod
    def _hanoi_units(cls, value: dict[str, int]) -> dict[str, int]:
        for unit in value:
            if not is_hanoi_unit(unit):
                raise ValueError(f"{unit!r} is not a Hanoi district or commune code")
        return value
