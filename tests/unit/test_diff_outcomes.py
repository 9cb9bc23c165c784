"""`portalsim diff` on hand-built logs: what counts as a difference and what does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from typer.testing import CliRunner

from simulator.cli import app
from simulator.diff import diff_outcomes, outcomes_from_records
from simulator.eventlog import EventLogReader
from tests.eventlogs import LogBuilder, settled, status

RUNNER = CliRunner()


def diff(a: Path, b: Path, tmp_path: Path) -> tuple[int, str, dict[str, Any]]:
    """Exit code, printed output and the JSON diff of `portalsim diff A B`."""
    out = tmp_path / "diff.json"
    result = RUNNER.invoke(
        app, ["diff", str(a), str(b), "--json", str(out)], env={"COLUMNS": "300"}
    )
    return result.exit_code, result.output, orjson.loads(out.read_bytes())


def changed_fields(report: dict[str, Any]) -> dict[str, set[str]]:
    return {d["dossier_id"]: set(d.get("fields", {})) for d in report["differences"]}


def test_identical_outcomes_exit_0(tmp_path: Path) -> None:
    a = LogBuilder().dossier("d1").dossier("d2").write(tmp_path / "a.jsonl")
    b = LogBuilder().dossier("d2").dossier("d1").write(tmp_path / "b.jsonl.gz")
    code, output, report = diff(a, b, tmp_path)
    assert code == 0, output
    assert report["identical"] is True
    assert report["totals"] == {"same": 2, "changed": 0, "only_in_a": 0, "only_in_b": 0}
    assert "identical" in output


def test_event_ids_wall_times_offsets_partitions_and_codes_are_not_differences(
    tmp_path: Path,
) -> None:
    a = LogBuilder().dossier("d1").write(tmp_path / "a.jsonl")
    lines = a.read_bytes().splitlines()
    moved = [lines[0]]
    for raw in lines[1:-1]:
        record = orjson.loads(raw)
        record["partition"], record["offset"] = 2, record["offset"] + 1000
        record["timestamp"] += 86_400_000
        record["value"]["id"] += "-other"
        record["value"]["time"] = "2030-01-01T00:00:00Z"
        record["value"]["causationid"] = "someone-else"
        record["value"]["data"]["dossier_code"] = "001-260302-0042"
        moved.append(orjson.dumps(record))
    moved.append(lines[-1])
    (tmp_path / "b.jsonl").write_bytes(b"\n".join(moved) + b"\n")
    code, output, _ = diff(a, tmp_path / "b.jsonl", tmp_path)
    assert code == 0, output


def test_a_changed_outcome_is_listed_with_its_fields_and_exits_1(tmp_path: Path) -> None:
    a = LogBuilder().dossier("d1").dossier("d2").write(tmp_path / "a.jsonl")
    b = (
        LogBuilder()
        .dossier("d1")
        .dossier(
            "d2",
            outcome="rejected",
            result_document_number=None,
            reason_code="under_marriage_age",
            reason_text="too young",
        )
        .write(tmp_path / "b.jsonl")
    )
    code, output, report = diff(a, b, tmp_path)
    assert code == 1
    assert changed_fields(report) == {
        "d2": {"terminal", "reason_code", "reason_text", "result_document_number", "statuses"}
    }
    [d2] = report["differences"]
    assert d2["fields"]["terminal"] == {"a": "approved", "b": "rejected"}
    assert report["by_procedure"]["1.000894"] == {
        "same": 1,
        "changed": 1,
        "only_in_a": 0,
        "only_in_b": 0,
    }
    assert "d2" in output and "under_marriage_age" in output


def test_a_changed_document_number_days_or_settling_portal_is_a_difference(
    tmp_path: Path,
) -> None:
    a = LogBuilder().dossier("d1").dossier("d2").dossier("d3").write(tmp_path / "a.jsonl")
    b = (
        LogBuilder()
        .dossier("d1", result_document_number="KH-2026-999999")
        .dossier("d2", working_days_taken=1.5)
        .dossier("d3", settled_by="national_portal")
        .write(tmp_path / "b.jsonl")
    )
    _, _, report = diff(a, b, tmp_path)
    assert changed_fields(report) == {
        "d1": {"result_document_number"},
        "d2": {"working_days_taken"},
        "d3": {"settled_by"},
    }


def test_a_different_sequence_of_status_changes_is_a_difference(tmp_path: Path) -> None:
    a = LogBuilder().dossier("d1").write(tmp_path / "a.jsonl")
    b = (
        LogBuilder()
        .dossier("d1")
        .add("dossier.status.changed", status("d1", "returned_at_desk", "one_stop"))
        .write(tmp_path / "b.jsonl")
    )
    _, _, report = diff(a, b, tmp_path)
    [d1] = report["differences"]
    assert d1["fields"]["statuses"]["b"][-1] == "returned_at_desk by one_stop"


def test_dossiers_in_one_log_only_are_listed_as_such(tmp_path: Path) -> None:
    a = LogBuilder().dossier("d1").dossier("gone").write(tmp_path / "a.jsonl")
    b = LogBuilder().dossier("d1").dossier("new").write(tmp_path / "b.jsonl")
    code, _, report = diff(a, b, tmp_path)
    assert code == 1
    kinds = {d["dossier_id"]: d["kind"] for d in report["differences"]}
    assert kinds == {"gone": "only_in_a", "new": "only_in_b"}
    assert report["totals"]["only_in_a"] == report["totals"]["only_in_b"] == 1


def test_an_unsettled_dossier_differs_from_a_settled_one(tmp_path: Path) -> None:
    a = LogBuilder().dossier("d1").write(tmp_path / "a.jsonl")
    builder = LogBuilder().dossier("d1")
    builder.lines = builder.lines[:-2]  # no terminal status, no settlement
    _, _, report = diff(a, builder.write(tmp_path / "b.jsonl"), tmp_path)
    [d1] = report["differences"]
    assert d1["fields"]["terminal"] == {"a": "approved", "b": None}


def test_a_redelivered_event_counts_once(tmp_path: Path) -> None:
    builder = LogBuilder().dossier("d1")
    builder.lines.append(builder.lines[-2])  # the terminal status again, same event id
    builder.lines.append(builder.lines[-2])  # the settlement again
    twice = builder.write(tmp_path / "twice.jsonl")
    outcome = outcomes_from_records(EventLogReader(twice))["d1"]
    assert outcome.settlements == 1
    assert outcome.compared()["statuses"] == [
        "received by city_portal",
        "identity_check by city_portal",
        "approved by city_portal",
    ]
    once = LogBuilder().dossier("d1").write(tmp_path / "once.jsonl")
    assert diff(once, twice, tmp_path)[0] == 0


def test_linked_steps_are_dossiers_counted_under_their_root(tmp_path: Path) -> None:
    builder = LogBuilder().dossier("parent").dossier("other")
    builder.add("dossier.settled", settled("step-1", parent_dossier_id="parent"))
    a = builder.write(tmp_path / "a.jsonl")
    b = (
        LogBuilder()
        .dossier("parent")
        .add("dossier.settled", settled("step-1", parent_dossier_id="parent", outcome="rejected"))
        .write(tmp_path / "b.jsonl")
    )
    outcomes_a = outcomes_from_records(EventLogReader(a))
    outcomes_b = outcomes_from_records(EventLogReader(b))
    assert outcomes_a["step-1"].root_id == "parent"
    only_parent = diff_outcomes(outcomes_a, outcomes_b, roots={"parent"})
    assert [d.dossier_id for d in only_parent.differences] == ["step-1"]
    everything = diff_outcomes(outcomes_a, outcomes_b)
    assert {d.dossier_id for d in everything.differences} == {"step-1", "other"}


def test_a_missing_log_is_an_error_with_exit_2(tmp_path: Path) -> None:
    a = LogBuilder().dossier("d1").write(tmp_path / "a.jsonl")
    result = RUNNER.invoke(app, ["diff", str(a), str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_statuses_of_one_moment_compare_in_lifecycle_order_not_arrival_order(
    tmp_path: Path,
) -> None:
    # the city's "routed" and the ministry's "processing" race across topics
    builder = LogBuilder().dossier("d1")
    raced = LogBuilder().dossier("d1")
    status_lines = [i for i, line in enumerate(raced.lines) if b"status.changed" in line]
    first, second = status_lines[0], status_lines[1]
    raced.lines[first], raced.lines[second] = raced.lines[second], raced.lines[first]
    in_order = builder.write(tmp_path / "in-order.jsonl")
    swapped = raced.write(tmp_path / "swapped.jsonl")
    assert diff(in_order, swapped, tmp_path)[0] == 0
