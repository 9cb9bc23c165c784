"""Each service's settings as its own typed object, and the one place they become its environment.

A service reads its settings from `PORTALSIM_<SERVICE>_<FIELD>` variables
(`services.kit.parse_settings`). The simulator builds the very same settings classes,
imported from the services' packages, in two steps:

1. What a scenario decides (`service_settings(scenario, policies, log_level)`): the
   population and the policies, as a `SystemSettings` of four settings objects whose
   other fields keep their defaults (or what the environment says, as for the service).
2. What only the cluster knows when it lays the services out (`ServiceCluster`): the
   broker and the service's Kafka principal, its data folder and HTTP port, its key
   files and the hashes of the run's tokens, set by `with_values`, which validates them
   as the service would.

`environment_of(settings)` then writes a complete settings object as the variables
from which the service's own parser builds an equal object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import SecretStr
from pydantic_core import to_json

from services.city_portal import CityPortalSettings
from services.kit import ServiceSettings, env_var_names, policy_names
from services.national_portal import NationalPortalSettings
from services.one_stop import OneStopSettings
from services.population_db import PopulationDbSettings
from simulator.scenarios.scenario import Policies, Scenario

__all__ = [
    "SERVICE_NAMES",
    "SETTINGS_CLASSES",
    "SystemSettings",
    "environment_of",
    "service_settings",
    "startup_settings",
    "traced",
    "wanted_policies",
    "with_values",
]

S = TypeVar("S", bound=ServiceSettings)

#: Each service's settings class, in the order the services start.
SETTINGS_CLASSES: Mapping[str, type[ServiceSettings]] = {
    "population_db": PopulationDbSettings,
    "city_portal": CityPortalSettings,
    "national_portal": NationalPortalSettings,
    "one_stop": OneStopSettings,
}
SERVICE_NAMES: tuple[str, ...] = tuple(SETTINGS_CLASSES)


@dataclass(frozen=True)
class SystemSettings:
    """The four services' settings as a scenario decides them (before the cluster's part)."""

    population_db: PopulationDbSettings
    city_portal: CityPortalSettings
    national_portal: NationalPortalSettings
    one_stop: OneStopSettings

    def by_name(self) -> dict[str, ServiceSettings]:
        """Service name -> its settings."""
        return {name: getattr(self, name) for name in SERVICE_NAMES}


def service_settings(
    scenario: Scenario, policies: Policies, log_level: str = "WARNING"
) -> SystemSettings:
    """Each service's settings for a scenario under some policies (its log level too)."""
    return SystemSettings(
        population_db=PopulationDbSettings(
            population_size=scenario.population_size,
            population_seed=scenario.population_seed,
            check_delay_ms=scenario.population_db_delay_ms,
            **scenario.population_records.model_dump(),
            records_as_of=scenario.start_date,
            record_cleaning_per_day=policies.record_cleaning_per_day,
            log_level=log_level,
        ),
        city_portal=CityPortalSettings(
            foreigners_may_register=policies.foreigners_may_register,
            marriage_min_age_male=policies.marriage_min_age_male,
            marriage_min_age_female=policies.marriage_min_age_female,
            routing_overrides={
                code: portal.value for code, portal in policies.routing_overrides.items()
            },
            log_level=log_level,
        ),
        national_portal=NationalPortalSettings(
            rejection_rate=policies.ministry_rejection_rate,
            id_card_capacity_per_day=policies.id_card_capacity_per_day * scenario.demand.scale,
            log_level=log_level,
        ),
        one_stop=OneStopSettings(
            desk_capacity_per_day=policies.desk_capacity_per_day,
            desk_capacity_overrides=dict(policies.desk_capacity_overrides),
            scan_failure_rate=policies.scan_failure_rate,
            e_archive=policies.e_archive,
            log_level=log_level,
        ),
    )


def traced(settings: SystemSettings, folder: Path) -> SystemSettings:
    """The same settings, every service writing its spans to `folder` (`trace_dir`)."""
    return SystemSettings(
        population_db=with_values(settings.population_db, trace_dir=folder),
        city_portal=with_values(settings.city_portal, trace_dir=folder),
        national_portal=with_values(settings.national_portal, trace_dir=folder),
        one_stop=with_values(settings.one_stop, trace_dir=folder),
    )


def wanted_policies(settings: SystemSettings) -> dict[str, dict[str, Any]]:
    """Each service's run-time policies (its `POLICY` fields) in these settings, as JSON."""
    return {
        name: service.model_dump(mode="json", include=set(policy_names(type(service))))
        for name, service in settings.by_name().items()
    }


def startup_settings(
    scenario: Scenario, log_level: str = "WARNING", *, clocked: bool = True
) -> SystemSettings:
    """What a run starts the services with: the scenario's population and every run-time
    policy at its default (the run sets them through the operations API, as it does on a
    deployment); `clocked`: the national portal's card line follows the simulated clock
    the run publishes (a replay of a log without one: not)."""
    chosen = service_settings(scenario, Policies(), log_level)

    def defaults(service: ServiceSettings) -> ServiceSettings:
        fields = type(service).model_fields
        values = {
            n: fields[n].get_default(call_default_factory=True) for n in policy_names(type(service))
        }
        return with_values(service, **values)

    started = {name: defaults(s) for name, s in chosen.by_name().items()}
    started["national_portal"] = with_values(
        started["national_portal"], card_line_follows_clock=clocked
    )
    return SystemSettings(**started)  # type: ignore[arg-type]


def with_values(settings: S, **values: Any) -> S:
    """The settings with these fields replaced, validated as the service validates them."""
    unknown = sorted(set(values) - set(type(settings).model_fields))
    if unknown:
        raise TypeError(f"{type(settings).__name__} has no field {', '.join(unknown)}")
    return type(settings).model_validate({**dict(settings), **values})


def environment_of(settings: ServiceSettings) -> dict[str, str]:
    """The environment variables giving a service exactly these settings.

    Every field is written, by its variable name (`env_var_names`): text as it is, a
    secret revealed, a bool as `true`/`false`, a mapping, list or model as JSON (which is
    how the service's settings read such a variable). A field that is None is left out:
    None is its default, and no variable can say None.
    """
    fields = type(settings).model_fields
    environment: dict[str, str] = {}
    for name, variable in env_var_names(type(settings)).items():
        value = getattr(settings, name)
        if value is None:
            if fields[name].get_default(call_default_factory=True) is not None:
                raise ValueError(
                    f"{variable}: None cannot be written for a field not None by default"
                )
            continue
        environment[variable] = _text(value)
    return environment


def _text(value: object) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Enum):
        return _text(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float | Path):
        return str(value)
    return to_json(value).decode()
