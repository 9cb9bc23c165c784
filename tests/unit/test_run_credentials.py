"""The run's tokens: the services get only their hashes."""

from __future__ import annotations

import json

from services.city_portal import CityPortalSettings
from services.kit.tokens import token_hash
from services.one_stop import OneStopSettings
from services.population_db import PopulationDbSettings
from simulator.commands.tokens import env_lines
from simulator.system.tokens import RunCredentials


def test_the_services_settings_hold_the_hashes_and_not_the_tokens() -> None:
    credentials = RunCredentials.generate(["001"])
    settings = credentials.settings_values(OneStopSettings.model_fields)
    text = json.dumps(settings)
    assert str(credentials.official) not in text
    assert str(credentials.desk_token("001")) not in text
    desks = settings["desk_token_hashes"]
    assert desks == {"001": [token_hash(str(credentials.desk_token("001")))]}


def test_a_service_gets_only_the_token_settings_it_has() -> None:
    credentials = RunCredentials.generate(["001"])
    assert set(credentials.settings_values(CityPortalSettings.model_fields)) == {
        "official_token_hashes"
    }
    assert set(credentials.settings_values(PopulationDbSettings.model_fields)) == {
        "official_token_hashes"  # its operations API (/ops) takes the official token
    }


def test_the_desks_read_the_generated_settings() -> None:
    credentials = RunCredentials.generate(["001", "00101"])
    settings = OneStopSettings(**credentials.settings_values(OneStopSettings.model_fields))
    assert set(settings.desk_token_hashes) == {"001", "00101"}
    assert len(settings.official_token_hashes) == 1


def test_the_env_file_gives_the_simulator_tokens_and_the_services_their_hashes() -> None:
    credentials = RunCredentials.generate(["001"])
    lines = dict(line.split("=", 1) for line in env_lines(credentials))
    values = {name: value.strip("'") for name, value in lines.items()}
    official, desk = str(credentials.official), str(credentials.desk_token("001"))
    assert values["PORTALSIM_OFFICIAL_TOKEN"] == official
    assert json.loads(values["PORTALSIM_DESK_TOKENS"]) == {"001": desk}
    assert json.loads(values["PORTALSIM_OFFICIAL_TOKEN_HASHES"]) == [token_hash(official)]
    assert json.loads(values["PORTALSIM_DESK_TOKEN_HASHES"]) == {"001": [token_hash(desk)]}
