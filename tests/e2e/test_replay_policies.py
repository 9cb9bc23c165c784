"""A replay applies the policy changes a log recorded, at their point of the stream.

A small run whose scenario raises the men's marriage age is recorded (the run sets it
through the operations API, so the log holds `service.policy.changed`); its replay into a
fresh system (started with every policy at its default) sets it again before the first
dossier, refuses the same marriages, and leaves the services at their defaults. Replayed
into the city portal alone, the log's changes of the city portal are done again too, and
its outputs are the recorded ones; a recorded outage (the national portal paused and
resumed) replayed into the national portal alone pauses it again (it says nothing while
paused) and what waited drains after the resume. Each command runs in a subprocess with
its own broker.
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


def record(scenario_file: Path, out: Path, **policies: Any) -> Path:
    """A run of the scenario under some changed policies, recorded: its log."""
    scenario = load_scenario(scenario_file)
    under = scenario.policies.model_copy(update=policies)
    changed = scenario.model_copy(update={"policies": under})
    path = out / "scenario.yaml"
    path.write_text(yaml.safe_dump(changed.model_dump(mode="json")), encoding="utf-8")
    log = out / "run.jsonl.gz"
    done = portalsim("run", path, "--out", out / "report", "--record", log)
    assert done.returncode == 0, said(done)
    return log


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The log of a recorded small run under a marriage age of 30."""
    out = tmp_path_factory.mktemp("policies")
    return record(HERE / "small-scenario.yaml", out, marriage_min_age_male=MARRIAGE_AGE)


@pytest.fixture(scope="module")
def replayed(recorded: Path) -> tuple[Path, Path, dict[str, Any]]:
    """The recorded run and its replay into a fresh system: both logs, the diff."""
    log, out = recorded, recorded.parent
    replay = out / "replay.jsonl.gz"
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


def test_a_service_replayed_alone_does_its_recorded_policy_changes_again(
    recorded: Path, tmp_path: Path
) -> None:
    alone, printed = replayed_alone(recorded, "city_portal", tmp_path)
    recorded_kinds = kinds_of(recorded, "city_portal")
    assert kinds_of(alone, "city_portal") == [
        "policies",
        "resumed",
        *recorded_kinds,
        "reset",
        "resumed",
    ]
    assert f"{len(recorded_kinds)} recorded policy changes applied" in printed
    first_input = min(r.line for r in EventLogReader(alone) if r.topic in INPUT_TOPICS)
    [(_, before)] = [(line, data) for line, data in policy_changes(alone)[:1] if line < first_input]
    assert before["in_force"]["marriage_min_age_male"] == MARRIAGE_AGE
    assert kinds_of(alone, "national_portal") == []  # only the replayed service is operated


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The log of the small outage run: the national portal paused, then resumed. Without
    the card line (as the small scenario): which ID card waits for which depends on the
    order the national portal takes them, and after a pause that order is the consumer's."""
    return record(
        HERE / "outage-scenario.yaml", tmp_path_factory.mktemp("outage"), id_card_capacity_per_day=0
    )


def replayed_alone(log: Path, service: str, folder: Path) -> tuple[Path, str]:
    """The log replayed into `service` alone, with its recorded outputs again: the new
    log and what the command printed."""
    alone = folder / "alone.jsonl.gz"
    done = portalsim(
        "replay", log, "--service", service, "--out", alone, "--json", folder / "diff.json"
    )
    assert done.returncode == 0, said(done)
    assert json_of(folder / "diff.json")["identical"] is True
    return alone, done.stdout


def national_outputs_at(log: Path) -> list[int]:
    """Kafka timestamps of the national portal's outputs in a log."""
    return [
        r.timestamp
        for r in EventLogReader(log)
        if r.topic != "service.policy.changed"
        and r.value is not None
        and r.value.get("source") == "/portalsim/national_portal"
    ]


def test_a_recorded_outage_pauses_the_service_replayed_alone_and_what_waited_drains_after(
    outage: Path, tmp_path: Path
) -> None:
    alone, _ = replayed_alone(outage, "national_portal", tmp_path)
    recorded_kinds = kinds_of(outage, "national_portal")
    assert recorded_kinds == ["policies", "resumed", "paused", "resumed", "reset", "resumed"]
    assert kinds_of(alone, "national_portal") == [
        "policies", "resumed", *recorded_kinds, "reset", "resumed",
    ]  # fmt: skip
    changes = [
        (r.timestamp, r.value["data"]["kind"])
        for r in EventLogReader(alone)
        if r.topic == "service.policy.changed" and r.value is not None
    ]
    [paused_at] = [t for t, kind in changes if kind == "paused"]
    resumed_at = min(t for t, kind in changes if kind == "resumed" and t > paused_at)
    outputs = national_outputs_at(alone)
    assert not [t for t in outputs if paused_at < t < resumed_at]
    assert [t for t in outputs if t > resumed_at], "what waited during the pause drains"
