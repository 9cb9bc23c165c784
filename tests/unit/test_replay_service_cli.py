"""`portalsim replay LOG --service NAME` refuses what it cannot do before it starts anything:
a bad log, an unknown service, a log without scenario, whole-system options (exit 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.commands.replay_service import default_service_replay_path
from tests.eventlogs import LogBuilder

RUNNER = CliRunner()


def portalsim(*args: str) -> Any:
    return RUNNER.invoke(app, list(args), env={"COLUMNS": "300"})


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return LogBuilder().dossier("d1").write(tmp_path / "run.jsonl")


def test_an_unknown_service_is_refused(log: Path) -> None:
    result = portalsim("replay", str(log), "--service", "ministry")
    assert result.exit_code == 2
    assert "'ministry' is not a service" in result.output


def test_whole_system_options_do_not_go_with_a_service(log: Path) -> None:
    result = portalsim(
        "replay", str(log), "--service", "city_portal", "--bootstrap", "k:1", "--diff"
    )
    assert result.exit_code == 2
    assert "--bootstrap, --diff cannot go with --service" in result.output


def test_a_log_without_a_scenario_needs_one(log: Path) -> None:
    result = portalsim("replay", str(log), "--service", "national_portal")
    assert result.exit_code == 2
    assert "the log has no scenario" in result.output


def test_a_bad_log_exits_2_naming_the_line(log: Path, tmp_path: Path) -> None:
    lines = log.read_bytes().splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"".join(lines[:3]) + b'{"topic": "dossier.settled", "parti')
    result = portalsim("replay", str(cut), "--service", "one_stop", "--scenario", "hanoi-day")
    assert result.exit_code == 2
    assert "cut.jsonl:4: truncated" in result.output


def test_the_new_log_goes_beside_the_recorded_one_named_after_the_service() -> None:
    path = default_service_replay_path(Path("logs/day.jsonl.gz"), "one_stop")
    assert path == Path("logs/day.replay-one_stop.jsonl.gz")
