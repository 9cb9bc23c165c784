"""`portalsim run --against` a deployment tells the truth about what was in force.

The deployment is a broker and the four services started as separate processes with
their defaults (as compose starts them); the scenario is a built-in one made small (5,000
people, one day, a fiftieth of Hanoi's demand). The run sets the scenario's policies and
faults through the services' operations API; the services report them as in force
during the run (the events they published, in the run's event log) and their defaults
after it; the figures equal a local run's of the same seed (docs/operations.md states
which figures and why).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import yaml

from simulator.eventlog import EventLogReader
from simulator.scenarios.scenario import Scenario, load_scenario, resolve_scenario
from simulator.system.lifecycle import SystemPlan, running_system
from simulator.system.settings import service_settings, startup_settings, wanted_policies
from simulator.system.tokens import RunCredentials

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3000)]  # two runs per scenario

SCENARIOS = [
    "desk-backlog",
    "national-portal-outage",
    "population-db-slow",
    "foreigners-can-register",
]

#: The figures a run against a deployment and a local run of the same seed must share:
#: every count decided by the seed and the policies (docs/operations.md); wall-clock
#: figures (latency, throughput) depend on the machine and are not compared.
SAME_FIGURES = ("counts", "settled_per_portal", "refused", "accounts")


def small(name: str, folder: Path) -> tuple[Path, Scenario]:
    """The built-in scenario made small, written as a file of its own."""
    scenario = load_scenario(resolve_scenario(name))
    scenario = scenario.model_copy(
        update={
            "population_size": 5000,
            "days": 1,
            "settle_timeout_s": 300,
            "concurrency": 8,
            "demand": scenario.demand.model_copy(update={"scale": 0.02}),
            # a fault from the second second on: the small demand is handed in within a
            # few seconds, so a later outage would find nothing left to hold up
            "faults": [
                f.model_copy(update={"stop_at_s": 1.0, "restart_at_s": 21.0})
                for f in scenario.faults
            ],
        }
    )
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json")), encoding="utf-8")
    return path, scenario


def cli_run(scenario: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> int:
    completed = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "run", str(scenario), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=1500,
        env={**os.environ, **(env or {})},
    )
    said = completed.stdout[-3000:] + completed.stderr[-3000:]
    out.with_suffix(".console.txt").write_text(said, encoding="utf-8")
    assert (out / "summary.json").exists(), said
    return completed.returncode


def summary_of(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads((out / "summary.json").read_bytes())
    return loaded


@dataclass
class AgainstRun:
    """One small scenario run against a deployment, and locally."""

    scenario: Scenario
    code: int
    summary: dict[str, Any]
    local: dict[str, Any]
    log: Path
    after: dict[str, Any]  # each service's GET /ops/policies once the run is over


@pytest.fixture(scope="module", params=SCENARIOS)
def against(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AgainstRun:
    folder = tmp_path_factory.mktemp(request.param)
    path, scenario = small(request.param, folder)
    tokens = RunCredentials.generate()
    keys = folder / "keys"  # the deployment's: its simulator key signs the run's clock
    plan = SystemPlan(
        settings=startup_settings(scenario),
        tokens=tokens,
        keys=keys,
        logs_to=folder / "deployment-logs",
        purpose="deployment",
    )
    with running_system(plan) as system:
        urls = ",".join(f"{name}={url}" for name, url in system.urls.items())
        env = {
            "PORTALSIM_OFFICIAL_TOKEN": str(tokens.official),
            "PORTALSIM_DESK_TOKENS": json.dumps(dict(tokens.desks)),
        }
        log = folder / "against.jsonl.gz"
        code = cli_run(
            path,
            folder / "against",
            *("--against", urls, "--bootstrap", system.bootstrap, "--record", str(log)),
            *("--keys", str(keys)),
            env=env,
        )
        headers = {"Authorization": f"Bearer {tokens.official}"}
        after = {
            name: httpx.get(f"{url}/ops/policies", headers=headers, timeout=30).json()
            for name, url in system.urls.items()
        }
    cli_run(path, folder / "local")
    return AgainstRun(
        scenario, code, summary_of(folder / "against"), summary_of(folder / "local"), log, after
    )


def policy_events(log: Path) -> list[dict[str, Any]]:
    return [
        r.value["data"]
        for r in EventLogReader(log)
        if r.topic == "service.policy.changed" and r.value is not None
    ]


def test_the_run_against_a_deployment_finishes_cleanly(against: AgainstRun) -> None:
    """Its variants too: their dossiers are new to the deployment (their own client refs)."""
    assert against.summary["conservation"]["ok"] is True
    assert against.code == 0, against.log.with_name("against.console.txt").read_text()


def test_the_services_report_the_scenario_policies_as_in_force_during_the_run(
    against: AgainstRun,
) -> None:
    scenario = against.scenario
    wanted = wanted_policies(service_settings(scenario, scenario.policies))
    during = against.summary["in_force"]["during"]
    assert {name: state["in_force"] for name, state in during.items()} == wanted
    published = {
        e["service"]: e["in_force"] for e in policy_events(against.log) if e["kind"] == "policies"
    }
    assert published == wanted


def test_the_services_are_back_at_their_defaults_after_the_run(against: AgainstRun) -> None:
    for name, state in against.after.items():
        assert state["in_force"] == state["defaults"], name
        assert state["consuming"] is True, name
    assert against.summary["in_force"]["after"] == {
        name: {k: state[k] for k in ("in_force", "defaults", "consuming")}
        for name, state in against.after.items()
    }


def test_the_figures_equal_a_local_run_of_the_same_seed(against: AgainstRun) -> None:
    for figure in SAME_FIGURES:
        assert against.summary[figure] == against.local[figure], figure


def test_an_outage_really_pauses_the_national_portal(against: AgainstRun) -> None:
    if not against.scenario.faults:
        pytest.skip("the scenario has no fault")
    kinds = [(e["service"], e["kind"]) for e in policy_events(against.log)]
    assert ("national_portal", "paused") in kinds and ("national_portal", "resumed") in kinds
    [fault] = against.summary["throughput"]["faults"]
    start_ms = against.summary["run"]["wall_start_ms"]
    window = (start_ms + 1000 * (fault["start_s"] + 1), start_ms + 1000 * (fault["end_s"] - 1))
    national = [
        r.timestamp
        for r in EventLogReader(against.log)
        if r.topic == "dossier.settled"
        and r.value is not None
        and r.value["data"]["settled_by"] not in {"city_portal", "one_stop"}
    ]
    assert not [t for t in national if window[0] <= t <= window[1]], "settled while paused"
    assert [t for t in national if t > window[1]], "its dossiers drain after the resume"
