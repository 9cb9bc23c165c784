"""deploy/Dockerfile and .dockerignore, checked without a Docker engine.

Multi-stage with pinned bases, dependencies from the project's own metadata, a final
stage without build tools running as a user, a HEALTHCHECK that really asks /healthz
(its Python snippet is run here against a small local server), a build context that
holds every file the Dockerfile copies.
"""

from __future__ import annotations

import ast
import fnmatch
import http.server
import importlib
import importlib.util
import re
import shlex
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.kit.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
SERVICES = ["city_portal", "population_db", "national_portal", "one_stop"]
BUILD_TOOLS = re.compile(
    r"\b(build-essential|gcc|g\+\+|clang|make|cmake|python3?-dev|libc6?-dev)\b"
)
PINNED_BASE = re.compile(r"^[\w./-]+:\d+\.\d+\.\d+[\w.-]*$|@sha256:[0-9a-f]{64}$")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments left out."""
    lines: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if not pending and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        if raw.endswith("\\"):
            pending += raw[:-1]
            continue
        lines.append(pending + raw)
        pending = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in _instructions():
        if instruction[0] == "FROM":
            stages.append([])
        stages[-1].append(instruction)
    return stages


def _healthcheck_command() -> list[str]:
    (arguments,) = [args for name, args in _stages()[-1] if name == "HEALTHCHECK"]
    return shlex.split(arguments.split("CMD", 1)[1])


def _settings_default_port(service: str) -> int:
    module = importlib.import_module(f"services.{service}.settings")
    (cls,) = [
        v
        for v in vars(module).values()
        if isinstance(v, type)
        and issubclass(v, ServiceSettings)
        and v.__module__ == module.__name__
    ]
    return int(cls.model_fields["http_port"].default)


def test_the_build_is_multi_stage_on_one_pinned_base() -> None:
    stages = _stages()
    assert len(stages) >= 2
    bases = [stage[0][1].split()[0] for stage in stages]
    for base in bases:
        assert PINNED_BASE.search(base), f"FROM {base} is not pinned to an exact version"
        assert not base.endswith(":latest")
    # The venv is copied between stages: the same Python must run it.
    assert bases[0] == bases[-1]
    assert re.match(r"python:3\.(1[1-9])\.\d+-slim", bases[-1])


def test_dependencies_come_from_the_project_metadata() -> None:
    builder = _stages()[0]
    copies = " ".join(args for name, args in builder if name == "COPY")
    runs = " ".join(args for name, args in builder if name == "RUN")
    assert "pyproject.toml" in copies
    assert re.search(r"pip install \.(\s|$)", runs) and "pip wheel" in runs
    assert "requirements" not in copies + runs


def test_the_image_label_carries_the_project_version() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    labels = " ".join(args for name, args in _stages()[-1] if name == "LABEL")
    assert f'org.opencontainers.image.version="{version}"' in labels


def test_the_final_stage_runs_as_a_user_without_build_tools() -> None:
    final = _stages()[-1]
    users = [args.strip() for name, args in final if name == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    for name, args in final:
        if name == "RUN":
            assert not BUILD_TOOLS.search(args), args
            assert "apt-get install" not in args
    copies = [args for name, args in final if name == "COPY"]
    assert any(args.startswith("--from=builder /opt/venv") for args in copies)


def test_the_default_command_runs_a_service_that_exists() -> None:
    final = _stages()[-1]
    env = " ".join(args for name, args in final if name == "ENV")
    service = re.search(r"PORTALSIM_SERVICE=(\w+)", env)
    assert service and service.group(1) in SERVICES
    (cmd,) = [args for name, args in final if name == "CMD"]
    assert "services.${PORTALSIM_SERVICE}" in cmd
    assert importlib.util.find_spec(f"services.{service.group(1)}.__main__") is not None


def test_the_healthcheck_knows_each_service_default_port() -> None:
    code = _healthcheck_command()[2]
    literal = re.search(r"defaults = (\{[^}]*\})", code)
    assert literal, code
    defaults = ast.literal_eval(literal.group(1))
    assert defaults == {s: str(_settings_default_port(s)) for s in SERVICES}


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_the_healthcheck_asks_healthz_on_the_configured_port(
    health_server: http.server.HTTPServer, status: int, healthy: bool
) -> None:
    _Health.status = status
    port = health_server.server_address[1]
    command = _healthcheck_command()
    assert command[:2] == ["python", "-c"]
    env = {"PORTALSIM_SERVICE": "one_stop", "PORTALSIM_ONE_STOP_HTTP_PORT": str(port)}
    result = subprocess.run(
        [sys.executable, "-c", command[2]], env=env, capture_output=True, timeout=20
    )
    assert (result.returncode == 0) is healthy, result.stderr


def _ignored(path: str, patterns: list[str]) -> bool:
    parts = Path(path).parts
    return any(
        fnmatch.fnmatch(path, p.removeprefix("**/"))
        or any(fnmatch.fnmatch(part, p.removeprefix("**/")) for part in parts)
        for p in patterns
    )


def test_the_build_context_holds_what_the_dockerfile_copies() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for excluded in (".venv", ".git", "reports", ".portalsim", "**/__pycache__"):
        assert excluded in patterns
    sources: list[str] = []
    for name, args in _instructions():
        if name == "COPY" and not args.startswith("--from"):
            sources += args.split()[:-1]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not _ignored(source, patterns), f"{source} is excluded by .dockerignore"
