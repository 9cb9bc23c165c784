"""The container-free rehearsal of the quick start (tests/rehearsal) maps compose faithfully:
the commands come from the docs, variables and host names are compose's, mapped to
loopback, and a command it does not know fails naming it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rehearsal.compose import ComposeProject, RehearsalError, interpolate
from tests.rehearsal.quick_start import Rehearsal, quick_start_commands

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = Path("deploy/docker-compose.yml")


@pytest.fixture
def rehearsal(tmp_path: Path) -> Iterator[Rehearsal]:
    played = Rehearsal.of_checkout(ROOT, tmp_path / "project")
    try:
        yield played
    finally:
        played.close()


def test_the_rehearsed_commands_are_the_quick_starts_code_block() -> None:
    commands = quick_start_commands(ROOT / "docs" / "deployment.md")
    assert commands[0].startswith("docker compose -f deploy/docker-compose.yml build")
    assert any("portalsim tokens > deploy/.env" in line for line in commands)
    assert commands[-1].startswith("docker compose -f deploy/docker-compose.yml down -v")


@pytest.mark.parametrize(
    "line",
    [
        "docker compose -f deploy/docker-compose.yml restart city_portal",
        "docker compose -f deploy/docker-compose.yml up",
        "docker compose --env-file deploy/secure.env -f deploy/docker-compose.yml up -d",
        "curl http://127.0.0.1:8101/healthz",
    ],
)
def test_a_command_the_rehearsal_does_not_know_fails_naming_it(
    rehearsal: Rehearsal, line: str
) -> None:
    with pytest.raises(RehearsalError, match="does not know"):
        rehearsal.play(line)


def test_build_is_skipped_with_its_reason(rehearsal: Rehearsal) -> None:
    step = rehearsal.play("docker compose -f deploy/docker-compose.yml build  # the image")
    assert step.skipped is not None and "no Docker engine" in step.skipped


def test_variables_are_substituted_as_compose_does() -> None:
    values = {"SET": "x", "EMPTY": ""}
    assert interpolate("${SET:-d} ${UNSET:-d} ${EMPTY:-d} ${EMPTY-d} $SET $$SET", values) == (
        "x d d  x $SET"
    )
    with pytest.raises(RehearsalError, match="required"):
        interpolate("${UNSET:?give it}", values)


def test_a_service_gets_the_env_files_variables_and_loopback_addresses(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    for name in ("docker-compose.yml", "Dockerfile"):
        (tmp_path / "deploy" / name).write_bytes((ROOT / "deploy" / name).read_bytes())
    env = "PORTALSIM_OFFICIAL_TOKEN_HASHES='[\"abc\"]'\nPORTALSIM_POSTGRES_PASSWORD=pw\n"
    (tmp_path / "deploy" / ".env").write_text(env)
    project = ComposeProject(tmp_path, COMPOSE, {"PORTALSIM_POSTGRES_PASSWORD": "shell"}, tmp_path)
    city = project.service("city_portal")
    environment = city.environment
    kafka, postgres = project.address("kafka", 9092), project.address("postgres", 5432)
    own = project.address("city_portal", 8101)
    assert environment["PORTALSIM_CITY_PORTAL_KAFKA_BOOTSTRAP"] == kafka
    assert environment["PORTALSIM_CITY_PORTAL_STORE_URL"] == (
        f"postgresql://portalsim:shell@{postgres}/portalsim"  # the shell wins over .env
    )
    assert environment["PORTALSIM_CITY_PORTAL_OFFICIAL_TOKEN_HASHES"] == '["abc"]'
    assert environment["PORTALSIM_CITY_PORTAL_HTTP_HOST"] == "127.0.0.1"
    assert environment["PORTALSIM_CITY_PORTAL_HTTP_PORT"] == own.rsplit(":", 1)[1]
    assert environment["PORTALSIM_CITY_PORTAL_DATA_DIR"] == str(
        tmp_path / "volumes" / "city_portal_data"
    )
    assert environment["PYTHONUNBUFFERED"] == "1"  # the image's ENV
    assert city.healthcheck is not None and f"http://{own}/healthz" in city.healthcheck[-1]
    scenario = project.service("scenario")
    against = scenario.command[scenario.command.index("--against") + 1]
    assert f"city_portal=http://{own}," in against
    assert project.argument(scenario, "/scenarios/x.yaml") == str(
        tmp_path / "deploy" / "scenarios" / "x.yaml"
    )
