"""Record, replay, diff end to end: each command in a subprocess with its own broker.

A recorded run of the small scenario replays into a fresh system with the same outcome
for every dossier; under a higher marriage age exactly the approved marriages change;
a log of more than 50,000 records replays at --speed max and reports its rate.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from simulator.diff import diff_outcomes, outcomes_from_records
from simulator.eventlog import EventLogReader
from simulator.replay.inputs import extract_inputs
from simulator.scenarios.scenario import load_scenario
from tests.eventlogs import injected_log

HERE = Path(__file__).parent
MARRIAGE = "1.000894"

pytestmark = pytest.mark.slow


def portalsim(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it (wide output, so lines are not wrapped)."""
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
    )


def said(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout[-4000:] + done.stderr[-4000:]


def json_of(path: Path) -> Any:
    return orjson.loads(path.read_bytes())


@pytest.fixture(scope="module")
def recorded(small_recorded: Path) -> Path:
    """The event log of a small scenario run, recorded by `portalsim run --record`."""
    return small_recorded


def test_a_recorded_run_holds_the_scenario_its_inputs_and_every_topic(recorded: Path) -> None:
    reader = EventLogReader(recorded)
    inputs = extract_inputs(reader, str(recorded))
    assert reader.header.origin == "run"
    assert reader.header.scenario is not None and reader.header.scenario["name"] == "small"
    assert reader.end is not None and reader.end.records > 1500
    assert {"account", "online", "desk"} <= {item.kind for item in inputs.items}
    assert inputs.unreplayable == []
    topics = {record.topic for record in reader}
    assert {"desk.dossier.received", "dossier.settled", "population.record.changed"} <= topics


def test_a_replay_into_a_fresh_system_has_the_same_outcome_for_every_dossier(
    recorded: Path, tmp_path: Path
) -> None:
    diff_path = tmp_path / "diff.json"
    done = portalsim(
        "replay", recorded, "--out", tmp_path / "replay.jsonl.gz", "--diff", "--json", diff_path
    )
    assert done.returncode == 0, said(done)
    assert "replay rate:" in done.stdout
    diff = json_of(diff_path)
    assert diff["identical"] is True
    assert diff["differences"] == []
    assert diff["totals"]["same"] > 200


def test_a_higher_marriage_age_changes_exactly_the_marriages_approved_before(
    recorded: Path, tmp_path: Path
) -> None:
    before = outcomes_from_records(EventLogReader(recorded))
    approved = {
        d for d, o in before.items() if o.procedure_code == MARRIAGE and o.terminal == "approved"
    }
    assert approved, "the small scenario approves some marriages"
    diff_path = tmp_path / "diff.json"
    done = portalsim(
        "replay",
        recorded,
        "--policy",
        "marriage_min_age_male=99",
        "--speed",
        "4",
        "--out",
        tmp_path / "m99.jsonl.gz",
        "--diff",
        "--json",
        diff_path,
    )
    assert done.returncode == 1, said(done)
    diff = json_of(diff_path)
    assert {d["dossier_id"] for d in diff["differences"]} == approved
    for difference in diff["differences"]:
        assert difference["kind"] == "changed"
        assert difference["fields"]["terminal"] == {"a": "approved", "b": "rejected"}
        assert difference["fields"]["reason_code"]["b"] == "under_marriage_age"
    assert diff["by_procedure"][MARRIAGE]["changed"] == len(approved)


def test_only_one_procedure_replays_and_is_compared(recorded: Path, tmp_path: Path) -> None:
    diff_path = tmp_path / "diff.json"
    done = portalsim(
        "replay",
        recorded,
        "--only-procedure",
        "11",
        "--out",
        tmp_path / "marriages.jsonl",
        "--diff",
        "--json",
        diff_path,
    )
    assert done.returncode == 0, said(done)
    diff = json_of(diff_path)
    assert set(diff["by_procedure"]) == {MARRIAGE}
    assert diff["identical"] is True


def test_a_log_of_50000_records_replays_at_max_speed_and_reports_its_rate(
    tmp_path: Path,
) -> None:
    # The inputs: the small scenario's demand scaled up (about 8,600 dossiers, about six
    # events each), as injected submissions. Such a log has no simulated clock, so its
    # replays would serve a card line in the order they take the cards (docs/eventlog.md):
    # no card line.
    scenario = load_scenario(HERE / "small-scenario.yaml")
    no_line = scenario.policies.model_copy(update={"id_card_capacity_per_day": 0})
    bulk = scenario.model_copy(
        update={
            "name": "bulk",
            "demand": scenario.demand.model_copy(update={"scale": 2.2}),
            "policies": no_line,
        }
    )
    inputs = tmp_path / "inputs.jsonl.gz"
    assert injected_log(bulk, inputs) > 6000
    first, second = tmp_path / "first.jsonl.gz", tmp_path / "second.jsonl.gz"
    done = portalsim("replay", inputs, "--out", first)  # the system makes the big log
    assert done.returncode == 0, said(done)
    big = EventLogReader(first)
    outcomes = outcomes_from_records(big)
    assert big.record_lines >= 50_000
    done = portalsim("replay", first, "--speed", "max", "--out", second)
    assert done.returncode == 0, said(done)
    rate = re.search(r"replay rate: ([\d,]+) records/s, ([\d,]+) inputs/s", done.stdout)
    assert rate is not None, said(done)
    print(f"\n{first}: replay rate {rate.group(1)} records/s, {rate.group(2)} inputs/s")
    diff = diff_outcomes(outcomes, outcomes_from_records(EventLogReader(second)))
    # Not all equal: at this volume some people appear in a death registration and in
    # another dossier, and which is decided first depends on processing order (a linked
    # group's later steps exist only when its earlier ones are approved).
    assert diff.totals()["same"] >= 0.97 * diff.compared
