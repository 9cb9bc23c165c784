"""A replay applies the policy changes a log recorded, at their point of the stream.

A small run whose scenario raises the men's marriage age is recorded (the run sets it
through the operations API, so the log holds `service.policy.changed`); its replay into a
fresh system (started with every policy at its default) sets it again before the first
dossier, refuses the same marriages, and leaves the services at their defaults. Each
command runs in a subprocess with its own broker.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from simulator.diff import outcomes_from_records
from simulator.eventlog import EventLogReader
from simulator.scenarios.scenario import load_scenario
from simulator.system.settings import startup_settings, wanted_policies
from tests.e2e.test_replay import HERE, MARRIAGE, json_of, portalsim, said

pytestmark = pytest.mark.slow

MARRIAGE_AGE = 30  # the default is 20: some marriages the default approves are refused
INPUT_TOPICS = {"account.registered", "dossier.submitted", "desk.dossier.received"}


def policy_changes(log: Path) -> list[tuple[int, dict[str, Any]]]:
    """Each `service.policy.changed` of a log with its line."""
    return [
        (r.line, r.value["data"])
        for r in EventLogReader(log)
        if r.topic == "service.policy.changed" and r.value is not None
    ]


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    """A recorded small run under a marriage age of 30, and its replay: both logs, diff."""
    out = tmp_path_factory.mktemp("policies")
    scenario = load_scenario(HERE / "small-scenario.yaml")
    policies = scenario.policies.model_copy(update={"marriage_min_age_male": MARRIAGE_AGE})
    changed = scenario.model_copy(update={"name": "small-marriage-30", "policies": policies})
    path = out / "scenario.yaml"
    path.write_text(yaml.safe_dump(changed.model_dump(mode="json")), encoding="utf-8")
    log, replay = out / "run.jsonl.gz", out / "replay.jsonl.gz"
    done = portalsim("run", path, "--out", out / "report", "--record", log)
    assert done.returncode == 0, said(done)
    done = portalsim("replay", log, "--out", replay, "--diff", "--json", out / "diff.json")
    assert done.returncode in (0, 1) and (out / "diff.json").exists(), said(done)
    return log, replay, json_of(out / "diff.json")


def test_the_recorded_log_holds_the_policy_change_of_the_run(
    replayed: tuple[Path, Path, dict[str, Any]],
) -> None:
    log, _, _ = replayed
    changes = [data for _, data in policy_changes(log) if data["service"] == "city_portal"]
    assert any(c["changed"].get("marriage_min_age_male") == MARRIAGE_AGE for c in changes)


def test_the_replayed_system_has_the_recorded_policy_in_force_before_the_first_dossier(
    replayed: tuple[Path, Path, dict[str, Any]],
) -> None:
    _, replay, _ = replayed
    first_input = min(r.line for r in EventLogReader(replay) if r.topic in INPUT_TOPICS)
    set_before = [
        data
        for line, data in policy_changes(replay)
        if line < first_input and data["service"] == "city_portal" and data["kind"] == "policies"
    ]
    assert set_before and set_before[-1]["in_force"]["marriage_min_age_male"] == MARRIAGE_AGE


def kinds_of(log: Path, service: str) -> list[str]:
    return [data["kind"] for _, data in policy_changes(log) if data["service"] == service]


def test_the_replay_does_every_recorded_change_again_between_its_own_start_and_end(
    replayed: tuple[Path, Path, dict[str, Any]],
) -> None:
    log, replay, _ = replayed
    for service in ("city_portal", "national_portal", "one_stop", "population_db"):
        recorded = kinds_of(log, service)
        assert recorded == ["policies", "resumed", "reset", "resumed"]
        assert kinds_of(replay, service) == ["policies", "resumed", *recorded, "reset", "resumed"]


def test_the_replay_refuses_the_marriages_the_recorded_policy_refused(
    replayed: tuple[Path, Path, dict[str, Any]],
) -> None:
    log, _, diff = replayed
    refused = [
        o
        for o in outcomes_from_records(EventLogReader(log)).values()
        if o.procedure_code == MARRIAGE and o.reason_code == "under_marriage_age"
    ]
    assert refused, "a marriage age of 30 refuses some of the small scenario's marriages"
    by_marriage = diff["by_procedure"][MARRIAGE]
    assert by_marriage["same"] > 0
    assert by_marriage["changed"] == by_marriage["only_in_a"] == by_marriage["only_in_b"] == 0


def test_the_replayed_system_is_back_at_its_defaults_after_the_replay(
    replayed: tuple[Path, Path, dict[str, Any]],
) -> None:
    _, replay, _ = replayed
    defaults = wanted_policies(startup_settings(load_scenario(HERE / "small-scenario.yaml")))
    last: dict[str, dict[str, Any]] = {}
    for _, data in policy_changes(replay):
        last[data["service"]] = data
    assert set(last) == set(defaults)
    for service, data in last.items():
        assert data["in_force"] == defaults[service]
        assert data["consuming"] is True
