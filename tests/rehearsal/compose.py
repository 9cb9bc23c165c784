"""What compose would give each service, mapped onto this machine without containers.

- **Variables**: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$VAR` and `$$` in the
  compose file take their values from the shell environment first, then the project's
  `.env` (the folder of the compose file), as compose reads them.
- **Host names**: every `<service>:<port>` a service listens on (its `ports` targets and
  its `*_HTTP_PORT` setting; the engines' well-known ports) gets a free loopback port;
  the name in an environment value or a command argument becomes `127.0.0.1:<that
  port>`, a service's own `*_HTTP_HOST` binds loopback, its `*_HTTP_PORT` the new port,
  and its healthcheck's `127.0.0.1:<port>` (the container itself) the same.
- **Paths**: the container's `/` is the project folder; a volume's target is a folder of
  the rehearsal (a named volume) or its bind source.

The image's environment (the Dockerfile's last `ENV`) is given too, with `PATH` leading to
this checkout's `.venv` (where `python` and `portalsim` are the image's programs).
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from simulator.kafka_local import free_port

__all__ = ["ComposeProject", "RehearsalError", "ServiceSpec", "interpolate", "read_env_file"]

#: The engines the rehearsal stands in for, by image name, and the port each serves on.
ENGINE_PORTS = {"apache/kafka": 9092, "postgres": 5432}
PROGRAMS = ("python", "portalsim")
_VARIABLE = re.compile(r"\$(?:(?P<dollar>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_]\w*))")
_BRACED = re.compile(r"^(?P<name>[A-Za-z_]\w*)(?:(?P<op>:?[-?])(?P<arg>.*))?$", re.S)


class RehearsalError(RuntimeError):
    """What the rehearsal cannot play, or a step that failed."""


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    """Compose's variable substitution in one string."""

    def one(match: re.Match[str]) -> str:
        if match["dollar"]:
            return "$"
        if match["named"]:
            return variables.get(match["named"], "")
        braced = _BRACED.match(match["braced"])
        if braced is None:
            raise RehearsalError(f"a variable compose would refuse: {match[0]}")
        name, op, arg = braced["name"], braced["op"], braced["arg"] or ""
        value = variables.get(name)
        unset = value is None or (op is not None and op.startswith(":") and value == "")
        if op is None or not unset:
            return value or ""
        if op.endswith("-"):
            return interpolate(arg, variables)
        raise RehearsalError(f"${{{name}}} is required: {arg}")

    return _VARIABLE.sub(one, text)


def read_env_file(path: Path) -> dict[str, str]:
    """A compose `.env` file: `KEY=VALUE` lines, quotes removed, `#` lines skipped."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", key.strip()):
            raise RehearsalError(f"{path}:{number}: not a KEY=VALUE line")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _image_environment(dockerfile: Path) -> dict[str, str]:
    """The `ENV` of the Dockerfile's last stage (`KEY=VALUE` pairs), without `PATH`."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    stages = re.split(r"^FROM\s", text, flags=re.M)
    values: dict[str, str] = {}
    for line in stages[-1].splitlines():
        if line.startswith("ENV "):
            for pair in shlex.split(line[4:]):
                key, _, value = pair.partition("=")
                values[key] = value
    values.pop("PATH", None)
    return values


@dataclass
class ServiceSpec:
    """One compose service as the rehearsal runs it."""

    name: str
    image: str
    command: list[str]
    environment: dict[str, str]
    depends_on: dict[str, str]
    profiles: list[str]
    healthcheck: list[str] | None
    cwd: Path
    volumes: dict[str, Path] = field(default_factory=dict)  # container target -> host folder

    @property
    def engine(self) -> str | None:
        """The engine this service's image is (`apache/kafka`, `postgres`), if one."""
        repository = self.image.split(":", 1)[0]
        return repository if repository in ENGINE_PORTS else None


class ComposeProject:
    """A compose file read for a rehearsal in `project` (the copy of the repository root
    the commands run in), with its `.env` and the shell's variables."""

    def __init__(
        self,
        project: Path,
        file: Path,
        shell: Mapping[str, str],
        work: Path,
        ports: dict[tuple[str, int], int] | None = None,
    ) -> None:
        self.project = project
        self.file = project / file
        self.work = work  # where named volumes and logs go
        self.folder = self.file.parent
        variables = {**read_env_file(self.folder / ".env"), **shell}
        raw = yaml.safe_load(self.file.read_text(encoding="utf-8"))
        self.raw_services: dict[str, Any] = raw["services"]
        self.variables = variables
        #: `(service, port)` -> its loopback port; kept across commands (given `ports`)
        self.ports = ports if ports is not None else {}
        for name, service in self.raw_services.items():
            for port in self._listens(name, service):
                if (name, port) not in self.ports:
                    taken = frozenset(self.ports.values())
                    self.ports[(name, port)] = free_port(exclude=taken)
        self._services_re = "|".join(re.escape(n) for n in sorted(self.raw_services, key=len)[::-1])
        image = self.folder / "Dockerfile"
        self.image_env = _image_environment(image) if image.exists() else {}

    def _listens(self, name: str, service: Mapping[str, Any]) -> set[int]:
        ports = {int(p["target"]) for p in service.get("ports", []) if isinstance(p, dict)}
        for key, value in (service.get("environment") or {}).items():
            if key.endswith("_HTTP_PORT"):
                ports.add(int(interpolate(str(value), self.variables)))
        engine = str(service.get("image", "")).split(":", 1)[0]
        if engine in ENGINE_PORTS:
            ports.add(ENGINE_PORTS[engine])
        return ports

    def address(self, service: str, port: int) -> str:
        """`127.0.0.1:<port>` standing for `service:port` in the compose network."""
        found = self.ports.get((service, port))
        if found is None:
            raise RehearsalError(f"{service}:{port}: not a port the rehearsal maps")
        return f"127.0.0.1:{found}"

    def _hosts(self, text: str, own: str | None) -> str:
        text = re.sub(
            rf"\b({self._services_re}):(\d+)\b",
            lambda m: self.address(m[1], int(m[2])),
            text,
        )
        if own is not None:  # the container itself, in its healthcheck
            text = re.sub(
                r"\b(?:127\.0\.0\.1|localhost):(\d+)\b",
                lambda m: self.address(own, int(m[1])),
                text,
            )
        return text

    def _path(self, value: str, volumes: Mapping[str, Path]) -> str:
        for target, host in sorted(volumes.items(), key=lambda v: -len(v[0])):
            if value == target or value.startswith(target + "/"):
                return str(host) + value[len(target) :]
        return value

    def _volumes(self, name: str, service: Mapping[str, Any]) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for entry in service.get("volumes", []):
            if isinstance(entry, dict):
                source, target = entry.get("source"), str(entry["target"])
            else:
                source, target = [*str(entry).split(":"), ""][:2]
            if source and source.startswith("."):
                found[target] = (self.folder / source).resolve()
            else:
                found[target] = self.work / "volumes" / (source or f"{name}-anonymous")
        return found

    def _environment(
        self, name: str, raw: Mapping[str, Any], volumes: Mapping[str, Path]
    ) -> dict[str, str]:
        environment = dict(self.image_env)
        for key, value in (raw.get("environment") or {}).items():
            text = self._path(self._hosts(interpolate(str(value), self.variables), None), volumes)
            if key.endswith("_HTTP_HOST") and text == "0.0.0.0":
                text = "127.0.0.1"
            if key.endswith("_HTTP_PORT"):
                text = self.address(name, int(text)).rsplit(":", 1)[1]
            environment[key] = text
        environment["PATH"] = f"{Path(sys.executable).parent}:{os.defpath}"
        return environment

    def service(self, name: str) -> ServiceSpec:
        """The service as the rehearsal runs it (see the module)."""
        if name not in self.raw_services:
            raise RehearsalError(f"no service {name!r} in {self.file}")
        raw = self.raw_services[name]
        volumes = self._volumes(name, raw)
        image = str(raw.get("image", ""))
        if image.split(":", 1)[0] in ENGINE_PORTS:  # a stand-in reads what it needs as is
            environment = {
                key: interpolate(str(value), self.variables)
                for key, value in (raw.get("environment") or {}).items()
            }
        else:
            environment = self._environment(name, raw, volumes)
        command = [*_listed(raw.get("entrypoint")), *_listed(raw.get("command"))]
        check = (raw.get("healthcheck") or {}).get("test")
        healthcheck = None
        if isinstance(check, list) and check and check[0] == "CMD":
            healthcheck = [self._hosts(str(part), name) for part in check[1:]]
        depends = raw.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {d: {} for d in depends}
        return ServiceSpec(
            name=name,
            image=image,
            command=[self._path(self._hosts(part, None), volumes) for part in command],
            environment=environment,
            depends_on={
                k: (v or {}).get("condition", "service_started") for k, v in depends.items()
            },
            profiles=list(raw.get("profiles", [])),
            healthcheck=healthcheck,
            cwd=self.project / str(raw.get("working_dir", "/")).lstrip("/"),
            volumes=volumes,
        )

    def argument(self, spec: ServiceSpec, text: str) -> str:
        """A command-line argument given to `run`, mapped as the service's command is."""
        return self._path(self._hosts(text, None), spec.volumes)

    def names(self) -> list[str]:
        """The services of the file, in its order."""
        return list(self.raw_services)


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return shlex.split(value)
    return [str(part) for part in value]


def program(argv: list[str]) -> list[str]:
    """The command with the image's programs resolved to this checkout's `.venv`."""
    if not argv or argv[0] not in PROGRAMS:
        raise RehearsalError(f"a program the rehearsal cannot run: {argv[:1]}")
    venv_bin = Path(sys.executable).parent
    return [str(venv_bin / argv[0]) if argv[0] != "python" else sys.executable, *argv[1:]]
