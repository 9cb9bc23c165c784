"""End to end: the four services as separate processes on the session's real broker.

The `cluster`, `pool` and `driver` fixtures live in tests/conftest.py (shared with the
fault tests).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.logscan import DebugRun, People, scenario_people

SMALL_SCENARIO = Path(__file__).parent / "small-scenario.yaml"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.kafka)
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def small_debug_run(tmp_path_factory: pytest.TempPathFactory) -> DebugRun:
    """The small scenario run with the CLI and every service logging at DEBUG (JSON lines)."""
    out = tmp_path_factory.mktemp("debug-run")
    cli = [sys.executable, "-m", "simulator.cli", "--log-level", "DEBUG", "--log-json"]
    completed = subprocess.run(
        [*cli, "run", str(SMALL_SCENARIO), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    logs = {path.name: path.read_text(encoding="utf-8") for path in (out / "logs").glob("*.log")}
    logs |= {"cli stderr": completed.stderr, "cli stdout": completed.stdout}
    return DebugRun(completed.returncode, logs)


@pytest.fixture(scope="session")
def small_recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The event log of a small scenario run, recorded by `portalsim run --record` (the
    replay tests replay it; the scenario-run tests compare another run of the seed with it)."""
    out = tmp_path_factory.mktemp("recorded")
    log = out / "run.jsonl.gz"
    cli = [sys.executable, "-m", "simulator.cli", "run", str(SMALL_SCENARIO)]
    completed = subprocess.run(
        [*cli, "--out", str(out / "report"), "--record", str(log)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    return log


@pytest.fixture(scope="module")
def small_scenario_people() -> People:
    """ID numbers and full names of everyone the small scenario's demand declares."""
    return scenario_people(SMALL_SCENARIO)
