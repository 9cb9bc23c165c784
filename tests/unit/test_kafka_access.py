"""One place decides how clients connect: plain, or SASL/SCRAM-SHA-512 with a principal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from services.kit.kafka_access import KafkaAccess
from services.population_db.settings import PopulationDbSettings


def test_a_plaintext_access_gives_clients_only_the_bootstrap_address() -> None:
    access = KafkaAccess("127.0.0.1:9092")
    assert access.aiokafka_options() == {"bootstrap_servers": "127.0.0.1:9092"}
    assert access.confluent_config() == {"bootstrap.servers": "127.0.0.1:9092"}
    assert access.faststream_security() is None


def test_a_sasl_access_authenticates_with_scram_sha_512() -> None:
    access = KafkaAccess("h:1", "SASL_PLAINTEXT", "one_stop", SecretStr("pw"))
    options = access.aiokafka_options()
    assert options["security_protocol"] == "SASL_PLAINTEXT"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("one_stop", "pw")
    assert access.confluent_config()["sasl.mechanism"] == "SCRAM-SHA-512"
    security = access.faststream_security()
    assert security is not None and security.username == "one_stop"


def test_a_sasl_access_without_password_is_refused() -> None:
    with pytest.raises(ValueError, match="password"):
        KafkaAccess("h:1", "SASL_PLAINTEXT", "one_stop")


def test_the_password_is_not_shown_in_the_access_repr() -> None:
    assert "s3cret" not in repr(KafkaAccess("h:1", "SASL_PLAINTEXT", "x", SecretStr("s3cret")))


def test_the_simulator_reads_its_credentials_from_the_environment() -> None:
    env = {
        "PORTALSIM_SIMULATOR_KAFKA_SECURITY_PROTOCOL": "sasl_plaintext",
        "PORTALSIM_SIMULATOR_KAFKA_PASSWORD": "pw",
    }
    access = KafkaAccess.for_simulator("h:1", env)
    assert (access.security_protocol, access.username) == ("SASL_PLAINTEXT", "simulator")


def test_the_simulator_reads_its_password_from_a_credentials_file(tmp_path: Path) -> None:
    credentials = tmp_path / "credentials.json"
    credentials.write_text(json.dumps({"admin": "a", "simulator": "s"}))
    env = {"PORTALSIM_SIMULATOR_KAFKA_CREDENTIALS": str(credentials)}
    access = KafkaAccess.for_simulator("h:1", env)
    assert access.aiokafka_options()["sasl_plain_password"] == "s"


def test_a_service_takes_its_kafka_credentials_from_its_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORTALSIM_POPULATION_DB_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("PORTALSIM_POPULATION_DB_KAFKA_USERNAME", "population_db")
    monkeypatch.setenv("PORTALSIM_POPULATION_DB_KAFKA_PASSWORD", "pw")
    settings = PopulationDbSettings()
    assert "pw" not in repr(settings)
    assert settings.kafka_access().aiokafka_options()["sasl_plain_username"] == "population_db"
