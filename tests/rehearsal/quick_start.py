"""The quick start of docs/deployment.md played in order, without a Docker engine.

`quick_start_commands` reads the commands from the quick start's code block, so a change
of the docs changes what is rehearsed; `Rehearsal.play` plays one command line:

- `docker compose [-f FILE] [--profile P] build`: skipped (no image: the services run
  from this checkout's `.venv`), with the reason;
- `... up -d`: every service without a profile, dependencies first, as compose orders
  them (`service_healthy`: its healthcheck passes; `service_completed_successfully`: the
  job exited 0). The `apache/kafka` and `postgres` images are stood in for by a local
  broker (`simulator.kafka_local`) and a local PostgreSQL server (`simulator.postgres_local`,
  with the image's `POSTGRES_USER`, `POSTGRES_PASSWORD` and `POSTGRES_DB`), each on its
  mapped port with its data in its volume; the others run their `command` as a process
  with exactly the environment compose gives them (`tests.rehearsal.compose`);
- `... ps`: each service's state; a service with a healthcheck is waited for until it
  passes (within its start period and retries) and is `healthy` then;
- `... logs -f NAME`: the service's output so far;
- `... --profile P run --rm NAME [ARGS]`: its dependencies up, then its entrypoint and
  command (ARGS replace the command; `replace` maps an argument to another first) as a
  process, waited for;
- `... down [-v]`: every process stopped (SIGTERM, then SIGKILL after the service's
  grace period), the engines stopped; `-v` removes every volume's folder;
- `mkdir -p DIR`, and `portalsim ...` on the host (`> FILE` redirects its output).

Any other command, option or program makes the rehearsal fail, naming it.
"""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from simulator.kafka_local import LocalKafka
from simulator.postgres_local import LocalPostgres
from tests.processes import wait_until
from tests.rehearsal.compose import (
    ENGINE_PORTS,
    ComposeProject,
    RehearsalError,
    ServiceSpec,
    program,
)
from tests.rehearsal.engines import start_engine

__all__ = ["Rehearsal", "Step", "quick_start_commands"]

GRACE_S = 40.0  # the compose file's stop_grace_period
HEALTHY_WITHIN_S = 120.0  # a service's start period and its retries
JOB_WITHIN_S = 300.0
RUN_WITHIN_S = 1200.0


def quick_start_commands(doc: Path) -> list[str]:
    """The command lines of the first code block of the doc's `## Quick start` section."""
    text = doc.read_text(encoding="utf-8")
    if "\n## Quick start\n" not in text:
        raise RehearsalError(f"{doc}: no '## Quick start' section")
    section = text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    if block is None:
        raise RehearsalError(f"{doc}: the quick start has no bash block")
    return [line for line in block[1].splitlines() if shlex.split(line, comments=True)]


@dataclass
class Step:
    """One command played: `skipped` says why it did nothing, `output` what it printed."""

    command: str
    skipped: str | None = None
    output: str = ""
    states: dict[str, str] = field(default_factory=dict)
    returncode: int | None = None


class Rehearsal:
    """Plays quick-start commands in `project` (a folder holding a copy of `deploy/`)."""

    def __init__(
        self,
        repo: Path,
        project: Path,
        shell: Mapping[str, str] | None = None,
        replace: Mapping[str, str] | None = None,
    ) -> None:
        self.repo = repo
        self.project = project
        self.shell = dict(shell or {})
        self.replace = dict(replace or {})
        # the engines' data must be reachable by the PostgreSQL server's own account
        self.work = Path(tempfile.mkdtemp(prefix="portalsim-rehearsal-"))
        self.work.chmod(0o711)
        self.logs = project / "rehearsal-logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.ports: dict[tuple[str, int], int] = {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.engines: dict[str, LocalKafka | LocalPostgres] = {}
        self.steps: list[Step] = []
        self.stopped: list[int] = []  # the processes `down` stopped (engines included)

    @classmethod
    def of_checkout(cls, repo: Path, project: Path, **options: object) -> Rehearsal:
        """A rehearsal in `project` with a copy of the checkout's `deploy/` (no env files)."""
        shutil.copytree(repo / "deploy", project / "deploy", ignore=shutil.ignore_patterns("*.env"))
        return cls(repo, project, **options)  # type: ignore[arg-type]

    # -- commands -----------------------------------------------------------------------
    def play(self, line: str) -> Step:
        """Play one command line of the quick start (see the module)."""
        argv = shlex.split(line, comments=True)
        redirect = None
        if ">" in argv:
            at = argv.index(">")
            if len(argv) != at + 2:
                raise RehearsalError(f"a redirection the rehearsal does not know: {line}")
            argv, redirect = argv[:at], argv[at + 1]
        step = Step(line)
        if argv[:2] == ["docker", "compose"] and redirect is None:
            self._compose(argv[2:], step)
        elif argv[:2] == ["mkdir", "-p"] and len(argv) > 2 and redirect is None:
            for folder in argv[2:]:
                (self.project / folder).mkdir(parents=True, exist_ok=True)
        elif Path(argv[0]).name == "portalsim":
            self._portalsim(argv, redirect, step)
        else:
            raise RehearsalError(f"the rehearsal does not know this command: {line}")
        self.steps.append(step)
        return step

    def _portalsim(self, argv: list[str], redirect: str | None, step: Step) -> None:
        given = self.repo / argv[0]
        if not given.exists():
            raise RehearsalError(f"{argv[0]}: not in the checkout (bash scripts/bootstrap.sh)")
        done = subprocess.run(
            [str(given), *argv[1:]], cwd=self.project, capture_output=True, timeout=120
        )
        step.returncode = done.returncode
        if done.returncode != 0:
            raise RehearsalError(f"{step.command}: exit {done.returncode}: {done.stderr[-2000:]!r}")
        if redirect is not None:
            (self.project / redirect).write_bytes(done.stdout)
        else:
            step.output = done.stdout.decode()

    def _compose(self, args: list[str], step: Step) -> None:
        files: list[str] = []
        profiles: list[str] = []
        while args and args[0].startswith("-"):
            option = args.pop(0)
            if option in ("-f", "--file") and args:
                files.append(args.pop(0))
            elif option == "--profile" and args:
                profiles.append(args.pop(0))
            else:
                raise RehearsalError(f"a compose option the rehearsal does not know: {option}")
        if len(files) != 1 or not args:
            raise RehearsalError(f"the rehearsal needs one -f FILE and a command: {step.command}")
        project = ComposeProject(self.project, Path(files[0]), self.shell, self.work, self.ports)
        command, rest = args[0], args[1:]
        if command == "build":
            step.skipped = "no Docker engine: the services run from this checkout's .venv"
        elif command == "up" and rest == ["-d"]:
            for name in project.names():
                if not project.service(name).profiles:
                    self._ensure(project, name)
        elif command == "ps" and not rest:
            step.states = self.states(project)
        elif command == "logs" and rest[:1] == ["-f"] and len(rest) == 2:
            step.output = self._log_of(rest[1])
        elif command == "run" and rest[:1] == ["--rm"] and len(rest) >= 2:
            self._run(project, profiles, rest[1], rest[2:], step)
        elif command == "down" and rest in ([], ["-v"]):
            self.down(remove_volumes=rest == ["-v"])
        else:
            raise RehearsalError(f"a compose command the rehearsal does not know: {step.command}")

    # -- services -----------------------------------------------------------------------
    def _ensure(self, project: ComposeProject, name: str) -> None:
        """The service running, its dependencies first and in the state it depends on."""
        if name in self.processes or name in self.engines:
            return
        spec = project.service(name)
        for dependency, condition in spec.depends_on.items():
            self._ensure(project, dependency)
            self._wait(project, dependency, condition)
        if spec.engine is not None:
            self._start_engine(project, spec)
        else:
            self.processes[name] = self._start(spec, self.logs / f"{name}.log")

    def _start(self, spec: ServiceSpec, log: Path) -> subprocess.Popen[bytes]:
        for folder in spec.volumes.values():
            if folder.is_relative_to(self.work):
                folder.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as output:
            return subprocess.Popen(
                program(spec.command),
                env=spec.environment,
                cwd=spec.cwd,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def _start_engine(self, project: ComposeProject, spec: ServiceSpec) -> None:
        address = project.address(spec.name, ENGINE_PORTS[spec.engine or ""])
        self.engines[spec.name] = start_engine(spec, int(address.rsplit(":", 1)[1]))

    def _healthy(self, spec: ServiceSpec) -> bool:
        if spec.engine is not None:
            return self.engines[spec.name].status() is not None
        process = self.processes[spec.name]
        if process.poll() is not None or spec.healthcheck is None:
            return False
        check = subprocess.run(program(spec.healthcheck), env=spec.environment, timeout=30)
        return check.returncode == 0

    def _wait(self, project: ComposeProject, name: str, condition: str) -> None:
        spec = project.service(name)
        if condition == "service_healthy":
            wait_until(lambda: self._healthy(spec), HEALTHY_WITHIN_S, f"{name} healthy")
        elif condition == "service_completed_successfully":
            code = self.processes[name].wait(JOB_WITHIN_S)
            if code != 0:
                raise RehearsalError(f"{name} exited {code}: {self._log_of(name)[-2000:]}")
        elif condition != "service_started":
            raise RehearsalError(f"a depends_on condition the rehearsal does not know: {condition}")

    def states(self, project: ComposeProject) -> dict[str, str]:
        """Each started service's state: healthy once its healthcheck passes (waited for
        within its start period and retries), else running, or exited (code)."""
        found: dict[str, str] = {}
        for name in [*self.engines, *self.processes]:
            spec = project.service(name)
            process = self.processes.get(name)
            if process is not None and spec.healthcheck is None:
                code = process.poll()
                found[name] = "running" if code is None else f"exited ({code})"
                continue
            try:
                wait_until(lambda s=spec: self._healthy(s), HEALTHY_WITHIN_S, f"{name} healthy")  # type: ignore[misc]
                found[name] = "healthy"
            except AssertionError:  # not healthy within its start period and retries
                found[name] = "unhealthy"
        return found

    def _log_of(self, name: str) -> str:
        log = self.logs / f"{name}.log"
        if not log.exists():
            raise RehearsalError(f"no log of {name}: it was not started")
        return log.read_text(encoding="utf-8", errors="replace")

    def _run(
        self, project: ComposeProject, profiles: list[str], name: str, args: list[str], step: Step
    ) -> None:
        spec = project.service(name)
        if spec.profiles and not set(spec.profiles) & set(profiles):
            raise RehearsalError(f"{name} is in profile {spec.profiles}: give --profile")
        for dependency, condition in spec.depends_on.items():
            self._ensure(project, dependency)
            self._wait(project, dependency, condition)
        if args:
            entry = project.raw_services[name].get("entrypoint") or []
            given = [project.argument(spec, self.replace.get(a, a)) for a in args]
            spec.command = [*spec.command[: len(entry)], *given]
        log = self.logs / f"{name}-run.log"
        process = self._start(spec, log)
        step.returncode = process.wait(RUN_WITHIN_S)
        step.output = log.read_text(encoding="utf-8", errors="replace")

    def down(self, remove_volumes: bool = False) -> None:
        """Stop every process and engine; with `remove_volumes`, remove every volume."""
        self.stopped += self.pids
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(GRACE_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        for engine in self.engines.values():
            engine.stop()
        if remove_volumes:
            shutil.rmtree(self.work / "volumes", ignore_errors=True)

    def close(self) -> None:
        """Stop whatever still runs and remove the rehearsal's working folder."""
        self.down()
        shutil.rmtree(self.work, ignore_errors=True)

    @property
    def pids(self) -> list[int]:
        """Every process the rehearsal started (the engines' too, while they run)."""
        found = [p.pid for p in self.processes.values()]
        for engine in self.engines.values():
            status = engine.status()
            if status is not None:
                found.append(status.pid)
        return found
