"""`portalsim contracts check LOG`: which records today's code cannot read, and why; the
versions seen per topic; exit 0 all readable, 1 some unreadable, 2 a bad log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from contracts.topics import topic
from simulator.cli import app
from simulator.eventlog.compatibility import envelope_version
from tests.eventlogs import LogBuilder

RUNNER = CliRunner()
SUBMITTED = topic("dossier.submitted")


def portalsim(*args: str) -> Any:
    return RUNNER.invoke(app, list(args), env={"COLUMNS": "300"})


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return LogBuilder().dossier("d1").dossier("d2").write(tmp_path / "good.jsonl")


def edited(path: Path, line: int, change: Any) -> Path:
    """A copy of the log with one record line's decoded object changed in place."""
    lines = path.read_bytes().splitlines(keepends=True)
    record = orjson.loads(lines[line - 1])
    change(record)
    lines[line - 1] = orjson.dumps(record) + b"\n"
    copy = path.with_name(f"edited-{line}.jsonl")
    copy.write_bytes(b"".join(lines))
    return copy


def test_a_log_of_todays_records_is_readable(good: Path, tmp_path: Path) -> None:
    result = portalsim("contracts", "check", str(good), "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    assert "readable: all 10 records" in result.output
    report = orjson.loads((tmp_path / "r.json").read_bytes())
    assert report["readable"] is True
    assert report["topics"]["dossier.submitted"]["types"] == {SUBMITTED.event_type: 2}


def test_a_record_of_an_old_payload_version_is_reported_with_line_topic_offset_and_reason(
    good: Path, tmp_path: Path
) -> None:
    def old(record: dict[str, Any]) -> None:
        record["value"]["type"] = "vn.portalsim.dossier.submitted.v1"

    log = edited(good, 2, old)
    result = portalsim("contracts", "check", str(log), "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 1, result.output
    assert "line 2: dossier.submitted partition 0 offset" in result.output
    assert "wrong_event_type: payload version 1, today's is 2" in result.output
    report = orjson.loads((tmp_path / "r.json").read_bytes())
    [unreadable] = report["unreadable"]
    assert (unreadable["line"], unreadable["topic"]) == (2, "dossier.submitted")
    assert report["topics"]["dossier.submitted"]["types"] == {
        "vn.portalsim.dossier.submitted.v1": 1,
        SUBMITTED.event_type: 1,
    }


def test_a_payload_todays_model_refuses_is_unreadable_naming_the_field(good: Path) -> None:
    def without_outcome(record: dict[str, Any]) -> None:
        del record["value"]["data"]["outcome"]

    result = portalsim("contracts", "check", str(edited(good, 6, without_outcome)))
    assert result.exit_code == 1
    assert "invalid_payload: data.outcome: Field required" in result.output


def test_an_unknown_topic_and_a_wrong_signer_are_unreadable(good: Path) -> None:
    def renamed(record: dict[str, Any]) -> None:
        record["topic"] = "dossier.archived"

    def signed_by_a_desk(record: dict[str, Any]) -> None:
        record["value"]["signer"] = "population_db"

    first = portalsim("contracts", "check", str(edited(good, 2, renamed)))
    assert "unknown_topic" in first.output and first.exit_code == 1
    second = portalsim("contracts", "check", str(edited(good, 6, signed_by_a_desk)))
    assert "wrong_producer: signer 'population_db' may not produce dossier.settled" in second.output


def test_a_log_that_cannot_be_read_at_all_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"format": "something else"}\n')
    result = portalsim("contracts", "check", str(bad))
    assert result.exit_code == 2
    assert "not an event-log header" in result.output


def test_the_json_report_can_go_to_stdout(good: Path) -> None:
    result = RUNNER.invoke(app, ["contracts", "check", str(good), "--json", "-"])
    assert result.exit_code == 0
    assert orjson.loads(result.stdout)["records"] == 10


def test_an_envelope_is_version_1_unsigned_2_signed_or_3_batch_signed() -> None:
    assert envelope_version({"id": "x"}) == 1
    assert envelope_version({"signer": "city_portal", "signature": "abc"}) == 2
    assert envelope_version({"signer": "city_portal", "signature": "abc.0.2.def"}) == 3
    assert envelope_version({"signer": "city_portal", "traceparent": "00-1-2-01"}) == 4
