"""The quick start of docs/deployment.md, rehearsed command by command without a Docker
engine (tests/rehearsal): the services as processes with compose's environment, its host
names mapped to loopback. Its tokens step makes the desks' and officials' tokens work:
the scenario hands every desk dossier in (no 401) and writes its report; `down -v` leaves
no process and no volume behind.

hanoi-day is too long for the suite: the scenario command is played with the small
scenario in its place (`/scenarios/small.yaml`, a file of deploy/scenarios as the docs
describe), and the deployment gets its population by the shell's variables, as the docs
say for a scenario of another population.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from simulator.scenarios.scenario import load_scenario
from tests.e2e.conftest import SMALL_SCENARIO
from tests.processes import alive
from tests.rehearsal.quick_start import Rehearsal, Step, quick_start_commands

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("city_portal", "population_db", "national_portal", "one_stop")


@dataclass
class Rehearsed:
    """The quick start played: each command's step, and what `down -v` left."""

    commands: list[str]
    steps: list[Step]
    project: Path
    stopped: list[int]
    volumes_left: bool

    def step(self, words: str) -> Step:
        [found] = [s for s in self.steps if words in s.command]
        return found


def rehearse(project: Path, leave_out: str | None = None) -> Rehearsed:
    """The quick start played in `project`, without the command holding `leave_out`."""
    small = load_scenario(SMALL_SCENARIO)
    population = {
        "PORTALSIM_POPULATION_SIZE": str(small.population_size),
        "PORTALSIM_POPULATION_SEED": str(small.population_seed),
    }
    rehearsal = Rehearsal.of_checkout(
        ROOT, project, shell=population, replace={"hanoi-day": "/scenarios/small.yaml"}
    )
    shutil.copy(SMALL_SCENARIO, project / "deploy" / "scenarios" / "small.yaml")
    commands = quick_start_commands(ROOT / "docs" / "deployment.md")
    commands = [line for line in commands if leave_out is None or leave_out not in line]
    try:
        for line in commands:
            rehearsal.play(line)
        volumes_left = (rehearsal.work / "volumes").exists()
    finally:
        rehearsal.close()
    return Rehearsed(commands, rehearsal.steps, project, rehearsal.stopped, volumes_left)


@pytest.fixture(scope="module")
def rehearsed(tmp_path_factory: pytest.TempPathFactory) -> Rehearsed:
    return rehearse(tmp_path_factory.mktemp("quick-start"))


def test_every_command_of_the_quick_start_is_played_in_order(rehearsed: Rehearsed) -> None:
    assert [step.command for step in rehearsed.steps] == rehearsed.commands
    assert [s.command for s in rehearsed.steps if s.skipped] == [rehearsed.step(" build").command]


def test_the_token_step_writes_the_tokens_and_their_hashes(rehearsed: Rehearsed) -> None:
    env = (rehearsed.project / "deploy" / ".env").read_text(encoding="utf-8")
    for name in ("OFFICIAL_TOKEN", "DESK_TOKENS", "OFFICIAL_TOKEN_HASHES", "DESK_TOKEN_HASHES"):
        assert f"PORTALSIM_{name}=" in env


def test_after_up_every_service_is_healthy_and_the_topics_job_succeeded(
    rehearsed: Rehearsed,
) -> None:
    states = rehearsed.step(" ps").states
    assert states == {
        "kafka": "healthy",
        "postgres": "healthy",
        "topics": "exited (0)",
        **{name: "healthy" for name in APP_SERVICES},
    }


def test_the_city_portals_log_is_there(rehearsed: Rehearsed) -> None:
    assert rehearsed.step("logs -f city_portal").output.strip()


def summary(rehearsed: Rehearsed) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads(
        (rehearsed.project / "reports" / "small" / "summary.json").read_bytes()
    )
    return loaded


def test_the_scenario_runs_against_the_services_and_writes_its_report(
    rehearsed: Rehearsed,
) -> None:
    run = rehearsed.step("run --rm scenario")
    assert run.returncode == 0, run.output[-3000:]
    assert (rehearsed.project / "reports" / "small" / "report.md").exists()
    assert summary(rehearsed)["counts"]["submitted"] > 0


def test_the_desks_take_the_scenarios_dossiers_with_the_env_files_tokens(
    rehearsed: Rehearsed,
) -> None:
    result = summary(rehearsed)
    assert result["arrivals_by_channel"]["desk"]["dossiers"] > 0
    assert result["refused"] == {"total": 0, "by_reason": {}}  # no 401 at a desk
    assert result["counts"]["lost"] == result["counts"]["unfinished"] == 0


def test_down_stops_every_process_and_removes_every_volume(rehearsed: Rehearsed) -> None:
    assert len(rehearsed.stopped) >= len(APP_SERVICES) + 2
    assert [pid for pid in rehearsed.stopped if alive(pid)] == []
    assert rehearsed.volumes_left is False


def test_without_the_token_step_the_scenario_does_not_start(tmp_path: Path) -> None:
    left_out = rehearse(tmp_path, leave_out="portalsim tokens")
    run = left_out.step("run --rm scenario")
    assert run.returncode == 2
    assert "no official token" in run.output
    assert not (tmp_path / "reports" / "small" / "summary.json").exists()
