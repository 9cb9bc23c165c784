"""`portalsim run` notices its own faults: a killed service is restarted and reported, or
ends the run early with `--restart no`; SIGTERM to the run leaves no process behind.

Each test group runs the CLI as a user would, on its own broker, and kills from outside,
by pid, once some dossiers have settled.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from tests.processes import CliRun, alive, children_of, wait_until

HERE = Path(__file__).parent
SETTLE_TIMEOUT_S = 180
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@dataclass
class KilledRun:
    """A run whose `service` (pid `pid`) was SIGKILLed from outside mid-way."""

    code: int
    summary: dict[str, Any]
    report: str
    output: str
    service: str
    pid: int
    exit_after_kill_s: float


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small scenario four times over (about 850 dossiers): long enough to kill mid-way."""
    raw = yaml.safe_load((HERE / "small-scenario.yaml").read_text(encoding="utf-8"))
    raw |= {"name": "supervised", "settle_timeout_s": SETTLE_TIMEOUT_S}
    raw["demand"]["scale"] = 0.2
    path = tmp_path_factory.mktemp("supervised") / "supervised.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def started(scenario: Path, out: Path, *extra: str) -> Iterator[CliRun]:
    run = CliRun(scenario, out, *extra)
    try:
        wait_until(lambda: run.settled() >= 30, 300, "30 dossiers settled")
        yield run
    finally:
        run.stop()


def killed(run: CliRun, service: str) -> KilledRun:
    pid = run.service_pid(service)
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    code = run.wait(600)
    return KilledRun(
        code=code,
        summary=orjson.loads((run.out / "summary.json").read_bytes()),
        report=(run.out / "report.md").read_text(encoding="utf-8"),
        output=run.output,
        service=service,
        pid=pid,
        exit_after_kill_s=time.monotonic() - killed_at,
    )


@pytest.fixture(scope="module")
def restarted(scenario: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KilledRun]:
    """The city portal killed mid-run, under the default policy (on-failure)."""
    for run in started(scenario, tmp_path_factory.mktemp("restarted") / "report"):
        yield killed(run, "city_portal")


@pytest.fixture(scope="module")
def not_restarted(scenario: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KilledRun]:
    """The national portal killed mid-run, with `--restart no`."""
    out = tmp_path_factory.mktemp("not-restarted") / "report"
    for run in started(scenario, out, "--restart", "no"):
        yield killed(run, "national_portal")


def test_a_run_with_a_service_killed_mid_way_adds_up_with_nothing_lost_or_duplicated(
    restarted: KilledRun,
) -> None:
    conservation = restarted.summary["conservation"]
    assert conservation["holds"] is True
    assert (conservation["lost"], conservation["duplicated"]) == (0, 0)
    assert conservation["unfinished"] == 0


def test_a_run_with_a_service_killed_and_restarted_exits_cleanly(restarted: KilledRun) -> None:
    assert restarted.code == 0, restarted.output[-3000:]


def test_the_summary_names_the_death_and_the_restart(restarted: KilledRun) -> None:
    supervision = restarted.summary["supervision"]
    [death] = supervision["deaths"]
    assert (death["service"], death["exit"]) == ("city_portal", "SIGKILL")
    assert death["pid"] == restarted.pid
    assert death["at_wall_s"] <= death["restarted_at_wall_s"] <= death["up_at_wall_s"]
    assert supervision["restarts"] == 1
    assert supervision["gave_up"] is None


def test_the_report_has_the_death_in_its_section_on_deaths_and_restarts(
    restarted: KilledRun,
) -> None:
    section = restarted.report.split("## Service deaths and restarts", 1)[1].split("\n## ")[0]
    assert f"| city_portal | SIGKILL | {restarted.pid} |" in section


def test_the_console_says_which_service_died_and_that_it_is_back(restarted: KilledRun) -> None:
    assert f"city_portal died: SIGKILL (pid {restarted.pid})" in restarted.output
    assert "city_portal is back" in restarted.output


def test_with_restart_no_a_killed_service_ends_the_run_early_with_exit_3(
    not_restarted: KilledRun,
) -> None:
    assert not_restarted.code == 3, not_restarted.output[-3000:]
    assert not_restarted.exit_after_kill_s < SETTLE_TIMEOUT_S / 3


def test_with_restart_no_the_run_names_the_dead_service_and_its_exit(
    not_restarted: KilledRun,
) -> None:
    assert "the run ended early" in not_restarted.output
    assert "national_portal died (SIGKILL" in " ".join(not_restarted.output.split())
    gave_up = not_restarted.summary["supervision"]["gave_up"]
    assert (gave_up["service"], gave_up["exit"], gave_up["reason"]) == (
        "national_portal",
        "SIGKILL",
        "--restart no",
    )


@dataclass
class TerminatedRun:
    """A run sent SIGTERM mid-way: its exit code, output and the processes it had started."""

    code: int
    output: str
    children: dict[int, str]


@pytest.fixture(scope="module")
def terminated(scenario: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TerminatedRun]:
    """A run sent SIGTERM once some dossiers have settled."""
    for run in started(scenario, tmp_path_factory.mktemp("terminated") / "report"):
        children = children_of(run.process.pid)
        run.process.send_signal(signal.SIGTERM)
        code = run.wait(300)
        yield TerminatedRun(code, run.output, children)


def test_sigterm_to_a_run_stops_the_broker_and_every_service_it_started(
    terminated: TerminatedRun,
) -> None:
    children = terminated.children
    commands = " ".join(children.values())
    assert "kafka.Kafka" in commands
    assert all(f"services.{name}" in commands for name in ("city_portal", "one_stop"))
    wait_until(lambda: not any(alive(pid) for pid in children), 30, "the run's processes gone")


def test_sigterm_to_a_run_exits_128_plus_15(terminated: TerminatedRun) -> None:
    assert terminated.code == 128 + signal.SIGTERM, terminated.output[-4000:]
