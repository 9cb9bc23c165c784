"""Replaying a recorded run into one service alone, end to end (each command in a
subprocess with its own broker): every service alone gives its recorded outputs again; a
changed rule changes exactly the outputs about the dossiers it concerns; the recorded log
and a copy with an old payload version go through `contracts check`.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from simulator.eventlog import EventLogReader
from tests.e2e.test_replay import HERE, MARRIAGE, json_of, portalsim, said

pytestmark = pytest.mark.slow

SERVICES = ("city_portal", "population_db", "national_portal", "one_stop")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The event log of a small scenario run, recorded by `portalsim run --record`; without
    its card line: one_stop alone misses the desk returns of ID cards that the final clock
    releases after the desks' clock has closed (a known limit, docs/eventlog.md)."""
    out = tmp_path_factory.mktemp("recorded-for-one-service")
    raw = yaml.safe_load((HERE / "small-scenario.yaml").read_text(encoding="utf-8"))
    raw["policies"]["id_card_capacity_per_day"] = 0
    scenario = out / "small-no-card-line.yaml"
    scenario.write_text(yaml.safe_dump(raw), encoding="utf-8")
    log = out / "run.jsonl.gz"
    done = portalsim("run", scenario, "--out", out / "report", "--record", log)
    assert done.returncode == 0, said(done)
    return log


def approved_marriages(log: Path) -> set[str]:
    """Ids of the marriages the city portal approved in the recorded run."""
    return {
        record.data["dossier_id"]
        for record in EventLogReader(log)
        if record.topic == "dossier.settled"
        and record.data.get("procedure_code") == MARRIAGE
        and record.data.get("outcome") == "approved"
    }


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_replayed_alone_gives_its_recorded_outputs_again(
    recorded: Path, tmp_path: Path, service: str
) -> None:
    report = tmp_path / "diff.json"
    done = portalsim(
        "replay", recorded, "--service", service, "--out", tmp_path / "alone.jsonl.gz",
        "--json", report,
    )  # fmt: skip
    assert done.returncode == 0, said(done)
    diff = json_of(report)
    assert diff["identical"] is True
    assert diff["totals"]["same"] > 100
    assert diff["not_fed"] == []
    assert f"same: {diff['totals']['same']} outputs of {service}" in done.stdout


def test_a_higher_marriage_age_changes_exactly_the_approved_marriages_outputs(
    recorded: Path, tmp_path: Path
) -> None:
    report = tmp_path / "diff.json"
    done = portalsim(
        "replay", recorded, "--service", "city_portal", "--policy", "marriage_min_age_male=99",
        "--out", tmp_path / "m99.jsonl.gz", "--json", report,
    )  # fmt: skip
    assert done.returncode == 1, said(done)
    diff: dict[str, Any] = json_of(report)
    marriages = approved_marriages(recorded)
    assert marriages
    changed = {item["key"] for item in diff["differences"]}
    assert changed == marriages
    assert {item["kind"] for item in diff["differences"]} == {"changed"}
    settlements = [i for i in diff["differences"] if i["topic"] == "dossier.settled"]
    assert len(settlements) == len(marriages)
    assert all(
        item["fields"]["data.reason_code"]["b"] == "under_marriage_age" for item in settlements
    )
    assert "dossier.settled" in done.stdout and "Marriage registration" in done.stdout


def test_the_recorded_log_is_readable_and_an_old_payload_version_is_reported(
    recorded: Path, tmp_path: Path
) -> None:
    done = portalsim("contracts", "check", recorded)
    assert done.returncode == 0, said(done)
    lines = gzip.decompress(recorded.read_bytes()).splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines) if b'"topic":"dossier.submitted"' in line)
    record = orjson.loads(lines[number])
    record["value"]["type"] = "vn.portalsim.dossier.submitted.v1"
    lines[number] = orjson.dumps(record) + b"\n"
    old = tmp_path / "old.jsonl"
    old.write_bytes(b"".join(lines))
    report = tmp_path / "check.json"
    done = portalsim("contracts", "check", old, "--json", report)
    assert done.returncode == 1, said(done)
    [unreadable] = json_of(report)["unreadable"]
    assert unreadable["line"] == number + 1
    assert unreadable["reason"] == "wrong_event_type"
    assert f"line {number + 1}: dossier.submitted" in done.stdout
