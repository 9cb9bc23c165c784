"""The services' settings the simulator builds reach each service exactly.

The simulator builds every service's own settings class; `environment_of` writes them as
environment variables, and the service's own parser (`parse_settings`) must read back an
equal object: for any field kind (text, numbers, bools, paths, secrets, JSON mappings and
lists of models, None), for what a scenario decides and for what the cluster adds.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from services.city_portal import CityPortalSettings
from services.kit import ServiceSettings, env_var_names, parse_settings
from services.national_portal import NationalPortalSettings
from services.one_stop import OneStopSettings
from services.population_db import PopulationDbSettings
from simulator.scenarios.scenario import BUILT_IN_DIR, load_scenario
from simulator.system.processes import ServiceCluster
from simulator.system.settings import (
    SETTINGS_CLASSES,
    environment_of,
    service_settings,
    with_values,
)
from simulator.system.tokens import RunCredentials

HASH = "ab" * 32


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PORTALSIM_ variable of the machine running the tests leaks into the settings."""
    for name in list(os.environ):
        if name.startswith("PORTALSIM_"):
            monkeypatch.delenv(name)


def parsed_back(
    settings: ServiceSettings, environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> ServiceSettings:
    """What the service's own parser reads from these variables (and no flags)."""
    with monkeypatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        return parse_settings(type(settings), [])


def unusual(settings: ServiceSettings) -> ServiceSettings:
    """Every common field away from its default, of every kind."""
    return with_values(
        settings,
        kafka_bootstrap="127.0.0.1:19092,127.0.0.1:19093",
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_username="svc",
        kafka_password=SecretStr("p4ss word='\"{}"),
        data_dir=Path("/tmp/some where/data"),
        http_host="0.0.0.0",
        http_port=18101,
        log_level="DEBUG",
        log_json=False,
        batch_max_records=7,
        store_thread=True,
        create_topics=False,
        signing_key_file=Path("/keys/svc.key"),
        trust_file=Path("/keys/trust.json"),
    )


@pytest.mark.parametrize("name", list(SETTINGS_CLASSES))
def test_defaults_go_and_come_back_equal(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = SETTINGS_CLASSES[name]()
    assert parsed_back(settings, environment_of(settings), monkeypatch) == settings


@pytest.mark.parametrize("name", list(SETTINGS_CLASSES))
def test_every_kind_of_field_goes_and_comes_back_equal(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = unusual(SETTINGS_CLASSES[name]())
    environment = environment_of(settings)
    assert set(environment) <= set(env_var_names(type(settings)).values())
    assert environment[env_var_names(type(settings))["kafka_password"]] == "p4ss word='\"{}"
    assert parsed_back(settings, environment, monkeypatch) == settings


def test_json_fields_and_models_come_back_equal(monkeypatch: pytest.MonkeyPatch) -> None:
    expires = datetime(2026, 3, 2, 9, 30, tzinfo=UTC).isoformat()
    settings = with_values(
        OneStopSettings(),
        desk_capacity_per_day=3,
        desk_capacity_overrides={"001": 250, "00101": 60},
        scan_failure_rate=0.125,
        official_token_hashes=[HASH, {"sha256": "cd" * 32, "expires_at": expires}],
        desk_token_hashes={"001": [HASH]},
    )
    environment = environment_of(settings)
    assert json.loads(environment["PORTALSIM_ONE_STOP_DESK_CAPACITY_OVERRIDES"]) == {
        "001": 250,
        "00101": 60,
    }
    assert parsed_back(settings, environment, monkeypatch) == settings


def test_none_fields_are_left_out() -> None:
    environment = environment_of(PopulationDbSettings())
    assert "PORTALSIM_POPULATION_DB_KAFKA_USERNAME" not in environment
    assert "PORTALSIM_POPULATION_DB_SIGNING_KEY_FILE" not in environment


def test_a_scenarios_settings_come_back_equal(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario(BUILT_IN_DIR / "hanoi-day.yaml")
    policies = scenario.policies.model_copy(
        update={
            "foreigners_may_register": True,
            "ministry_rejection_rate": 0.07,
            "desk_capacity_overrides": {"001": 12},
        }
    )
    system = service_settings(scenario, policies, log_level="ERROR")
    assert system.city_portal.foreigners_may_register is True
    assert system.national_portal.rejection_rate == 0.07
    assert system.one_stop.capacity_of("001") == 12
    assert system.population_db.population_size == scenario.population_size
    for settings in system.by_name().values():
        assert settings.log_level == "ERROR"
        assert parsed_back(settings, environment_of(settings), monkeypatch) == settings


def test_routing_overrides_are_portal_names(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario(BUILT_IN_DIR / "hanoi-day.yaml")
    policies = scenario.policies.model_validate(
        {"routing_overrides": {"1.001193": "national_portal"}}
    )
    city = service_settings(scenario, policies).city_portal
    assert city.routing_overrides == {"1.001193": "national_portal"}
    environment = environment_of(city)
    assert json.loads(environment["PORTALSIM_CITY_PORTAL_ROUTING_OVERRIDES"]) == {
        "1.001193": "national_portal"
    }
    assert parsed_back(city, environment, monkeypatch) == city


def test_the_clusters_services_parse_what_it_laid_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials = tmp_path / "credentials.json"
    credentials.write_text(json.dumps({name: f"pw-{name}" for name in SETTINGS_CLASSES}))
    given = {
        "population_db": PopulationDbSettings(population_size=3000),
        "national_portal": NationalPortalSettings(rejection_rate=0),
    }
    tokens = RunCredentials.generate(["001"])
    cluster = ServiceCluster(
        "127.0.0.1:29092", tmp_path, settings=given, credentials=credentials, tokens=tokens
    )
    for name, service in cluster.services.items():
        settings = service.settings
        assert settings.kafka_bootstrap == "127.0.0.1:29092"
        assert settings.kafka_username == name
        assert settings.kafka_password == SecretStr(f"pw-{name}")
        assert settings.create_topics is False
        assert settings.data_dir == tmp_path / name
        assert settings.signing_key_file == (tmp_path / "keys" / f"{name}.key").resolve()
        monkeypatch.setenv(env_var_names(type(settings))["log_level"], "inherited, not used")
        environment = service.environment()
        own = {k: v for k, v in environment.items() if k in env_var_names(type(settings)).values()}
        assert own == environment_of(settings)
        assert parsed_back(settings, own, monkeypatch) == settings
    population, desks, city = (
        cluster[n].settings for n in ("population_db", "one_stop", "city_portal")
    )
    assert isinstance(population, PopulationDbSettings)
    assert isinstance(desks, OneStopSettings)
    assert isinstance(city, CityPortalSettings)
    assert population.population_size == 3000
    assert set(desks.desk_token_hashes) == {"001"}
    assert len(city.official_token_hashes) == 1


def test_the_cluster_refuses_another_services_settings(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="city_portal"):
        ServiceCluster("x:1", tmp_path, settings={"city_portal": OneStopSettings()})


def test_with_values_validates_and_names_unknown_fields() -> None:
    with pytest.raises(TypeError, match="no field colour"):
        with_values(CityPortalSettings(), colour="red")
    with pytest.raises(ValueError, match="desk"):
        with_values(OneStopSettings(), desk_capacity_overrides={"not-a-unit": 3})


def test_a_cluster_of_one_service_lays_out_only_that_one(tmp_path: Path) -> None:
    cluster = ServiceCluster("x:1", tmp_path, only=("national_portal",))
    assert list(cluster.services) == ["national_portal"]
    assert set(cluster.urls) == {"national_portal"}
    with pytest.raises(ValueError, match="unknown service ministry"):
        ServiceCluster("x:1", tmp_path, only=("ministry",))
