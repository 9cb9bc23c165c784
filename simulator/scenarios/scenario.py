"""Scenario files (`deploy/scenarios/*.yaml`): what to simulate, validated before anything starts.

Every field has a documented default; an invalid file is refused with the file, the
field path and what was expected (`ScenarioError`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from contracts.catalogue import load_catalogue
from simulator.scenarios.campaign import IdCardCampaign
from simulator.scenarios.friction import Friction
from simulator.scenarios.policies import Policies
from simulator.scenarios.policies import StrictModel as _Strict
from simulator.scenarios.records import PopulationRecords

__all__ = [
    "BUILT_IN_DIR",
    "DEFAULT_CONCURRENCY",
    "MAX_CONCURRENCY",
    "DataQuality",
    "Demand",
    "Fault",
    "Friction",
    "Policies",
    "ProcedureDemand",
    "Scenario",
    "ScenarioError",
    "Variant",
    "load_scenario",
    "resolve_scenario",
]

BUILT_IN_DIR = Path(__file__).resolve().parents[2] / "deploy" / "scenarios"
WORKING_DAYS_PER_YEAR = 250
SERVICES = ("population_db", "city_portal", "national_portal", "one_stop")
#: Applicants in flight at once: a city's default, and the most one run drives.
DEFAULT_CONCURRENCY, MAX_CONCURRENCY = 1_000, 5_000


class ScenarioError(ValueError):
    """A scenario file that cannot be used, with every problem named."""


class ProcedureDemand(_Strict):
    """Demand for one procedure: per day or per year, split online / desk, plus desk volume.

    How the volumes become arrivals (online every calendar day, desks on working days):
    `simulator/scenarios/volumes.py`.
    """

    per_day: float | None = Field(
        None, ge=0, description="Dossiers a day: online per calendar day, at desks per working day."
    )
    per_year: float | None = Field(
        None, ge=0, description="Dossiers a year (online ÷ 365 days, at desks ÷ 250 working days)."
    )
    online_share: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Share of per_day/per_year submitted online (else at a desk); default: "
        "1.0 for a published volume, else the demand's.",
    )
    published: bool = Field(
        False,
        description="True when per_day/per_year is a published figure (an ONLINE count: "
        "Hanoi's published volumes count online submissions), not synthetic.",
    )
    desk_per_day: float | None = Field(
        None, ge=0, description="SYNTHETIC desk volume on top: dossiers a working day at desks."
    )
    desk_per_year: float | None = Field(
        None, ge=0, description="SYNTHETIC desk volume on top: dossiers a year at desks (÷ 250)."
    )

    @model_validator(mode="after")
    def _one_volume(self) -> ProcedureDemand:
        if (self.per_day is None) == (self.per_year is None):
            raise ValueError("give exactly one of per_day or per_year")
        return self

    @model_validator(mode="after")
    def _one_desk_volume(self) -> ProcedureDemand:
        if self.desk_per_day is not None and self.desk_per_year is not None:
            raise ValueError("give at most one of desk_per_day or desk_per_year")
        return self

    @property
    def daily(self) -> float:
        """Dossiers per working day."""
        if self.per_day is not None:
            return self.per_day
        return (self.per_year or 0.0) / WORKING_DAYS_PER_YEAR


class Demand(_Strict):
    """Demand per procedure (by procedure code or number) and the online/desk split."""

    online_share: float = Field(0.6, ge=0, le=1, description="Default share submitted online.")
    scale: float = Field(1.0, gt=0, description="Multiplies every volume (to run a sample).")
    procedures: dict[str, ProcedureDemand] = Field(
        description="Procedure code (or number 1-25) -> its demand."
    )

    @field_validator("procedures")
    @classmethod
    def _known_procedures(cls, value: dict[str, ProcedureDemand]) -> dict[str, ProcedureDemand]:
        catalogue = load_catalogue()
        resolved: dict[str, ProcedureDemand] = {}
        for key, demand in value.items():
            try:
                procedure = (
                    catalogue.by_number(int(key)) if key.isdigit() else catalogue.by_code(key)
                )
            except (KeyError, ValueError):
                message = f"unknown procedure {key!r} (a code such as 1.001193 or 1-25)"
                raise ValueError(message) from None
            resolved[procedure.code] = demand
        return resolved


class DataQuality(_Strict):
    """Shares of dossiers with a data-quality error in the declared applicant."""

    name_typo_rate: float = Field(0.01, ge=0, le=1, description="A typo in the declared name.")
    wrong_birth_date_rate: float = Field(0.005, ge=0, le=1, description="A wrong birth date.")
    deceased_id_rate: float = Field(
        0.001, ge=0, le=1, description="The ID number of a deceased person."
    )


class Fault(_Strict):
    """A service stopped from one moment to another (wall seconds from the start of the run)."""

    service: Literal["population_db", "city_portal", "national_portal", "one_stop"] = Field(
        description="The service to stop."
    )
    stop_at_s: float = Field(ge=0, description="Wall seconds after the start when it stops.")
    restart_at_s: float = Field(gt=0, description="Wall seconds after the start when it restarts.")

    @model_validator(mode="after")
    def _ordered(self) -> Fault:
        if self.restart_at_s <= self.stop_at_s:
            raise ValueError("restart_at_s must come after stop_at_s")
        return self


class Variant(_Strict):
    """Another run of the same demand with other policies, compared in the report."""

    name: str = Field(min_length=1, max_length=60, description="Name of the variant.")
    policies: dict[str, Any] = Field(description="Policies changed from the scenario's.")


class Scenario(_Strict):
    """One scenario: who applies for what, when, under which policies and faults."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Short name (file stem).")
    description: str = Field(min_length=1, description="What question the scenario answers.")
    seed: int = Field(6, description="Seed of the demand (same seed, same dossiers).")
    start_date: date = Field(date(2026, 3, 2), description="First simulated day.")
    days: int = Field(1, ge=1, le=400, description="Simulated working days of demand.")
    population_size: int = Field(100_000, ge=1_000, le=2_000_000, description="People seeded.")
    population_seed: int = Field(6, description="Seed of the synthetic population.")
    population_records: PopulationRecords = Field(
        default_factory=PopulationRecords,
        description="Seeded records that fail identity checks until cleaned (assumed shares).",
    )
    demand: Demand = Field(description="Demand per procedure.")
    foreigner_share: float = Field(0.0, ge=0, le=1, description="Share of foreign applicants.")
    data_quality: DataQuality = Field(default_factory=DataQuality, description="Error rates.")
    policies: Policies = Field(default_factory=Policies, description="Policies.")
    friction: Friction = Field(
        default_factory=Friction, description="Online applicants who abandon (none by default)."
    )
    id_card_campaign: IdCardCampaign = Field(
        default_factory=IdCardCampaign,
        description="How ID-card applications are taken (none by mobile teams by default).",
    )
    faults: list[Fault] = Field(default_factory=list, description="Services stopped mid-run.")
    population_db_delay_ms: int = Field(
        0, ge=0, le=10_000, description="Extra time per identity check (a slow database)."
    )
    variants: list[Variant] = Field(
        default_factory=list, description="Runs of the same demand under other policies."
    )
    concurrency: int = Field(
        DEFAULT_CONCURRENCY,
        ge=1,
        le=MAX_CONCURRENCY,
        description="Applicants in flight at once (each with one request at a time).",
    )
    settle_timeout_s: float = Field(
        600, gt=0, description="Wall seconds to wait for every dossier to settle."
    )

    @field_validator("variants")
    @classmethod
    def _variant_policies(cls, variants: list[Variant]) -> list[Variant]:
        for variant in variants:
            Policies(**variant.policies)
        return variants

    def policies_of(self, variant: Variant | None) -> Policies:
        """The policies of the base run or of a variant."""
        if variant is None:
            return self.policies
        return Policies(**{**self.policies.model_dump(), **variant.policies})


def _problems(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"]) or "<file>"
        lines.append(f"{path}: {error['msg']}")
    return lines


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_raw(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's fields, merged over those of the scenario it `extends` (if any)."""
    if path.resolve() in seen:
        raise ScenarioError(f"{path}: extends itself through {' -> '.join(map(str, seen))}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: expected a mapping of scenario fields at the top")
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw
    base_path = path.parent / f"{base_name}.yaml"
    if not base_path.exists():
        raise ScenarioError(f"{path}: extends: no scenario {base_name!r} beside it")
    return _merge(_read_raw(base_path, (*seen, path.resolve())), raw)


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file; `ScenarioError` names the file, field and problem.

    A file may start from another scenario in the same folder with `extends: <name>`
    and change only some fields (mappings are merged, other values replaced).
    """
    raw = _read_raw(path)
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        details = "\n".join(f"  {line}" for line in _problems(exc))
        raise ScenarioError(f"{path}: invalid scenario:\n{details}") from None


def resolve_scenario(name_or_path: str) -> Path:
    """A path as given, or a built-in scenario by name (`hanoi-day`)."""
    path = Path(name_or_path)
    if path.exists():
        return path
    built_in = BUILT_IN_DIR / f"{name_or_path}.yaml"
    if built_in.exists():
        return built_in
    known = ", ".join(sorted(p.stem for p in BUILT_IN_DIR.glob("*.yaml")))
    raise ScenarioError(f"{name_or_path}: no such file or built-in scenario (built-in: {known})")
