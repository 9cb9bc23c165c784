"""One trace per dossier, end to end: the small scenario run with half its dossiers traced.

The run's spans (every service's file and the simulator's in `<out>/traces`) are read back:
a nationally settled dossier's trace is one tree from the applicant's request across the
Kafka hops to the settlement; `portalsim trace` prints it, says when a dossier was not
sampled, and the report's "where the time goes" adds up to 100 %.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from services.kit.tracing import sampled
from simulator.eventlog import EventLogReader
from simulator.traces.folder import read_spans
from simulator.traces.tree import find_trace
from tests.e2e.conftest import SMALL_SCENARIO

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

RATIO = 0.5
#: A nationally settled online dossier's path: each span the parent of the next.
NATIONAL_PATH = [
    "applicant POST /dossiers",
    "city_portal POST /dossiers",
    "city_portal handles dossier.submitted",
    "population_db handles identity.check.requested",
    "city_portal handles identity.check.completed",
    "national_portal handles dossier.routed",
    "city_portal handles dossier.settled",
]


@dataclass
class TracedRun:
    out: Path
    code: int
    summary: dict[str, Any]
    submitted: list[str]  # the ids of dossiers handed in, from the run's event log


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args], capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def traced_run(tmp_path_factory: pytest.TempPathFactory) -> TracedRun:
    # a broker of its own: on the session's, the session's services share the consumer
    # groups and take part of the run's partitions
    out = tmp_path_factory.mktemp("traced-run")
    completed = _cli(
        "run", str(SMALL_SCENARIO), "--out", str(out),
        "--trace-sample", str(RATIO), "--record", str(out / "run.log"),
    )  # fmt: skip
    summary_path = out / "summary.json"
    assert summary_path.exists(), completed.stdout[-3000:] + completed.stderr[-3000:]
    submitted = [
        str(record.value["data"]["dossier_id"])
        for record in EventLogReader(out / "run.log")
        if record.topic == "dossier.submitted"
        and record.value
        and record.value["data"]["channel"] in ("online", "desk")  # not a linked step
    ]
    return TracedRun(out, completed.returncode, orjson.loads(summary_path.read_bytes()), submitted)


def _national_trace(run: TracedRun) -> tuple[str, list[dict[str, Any]]]:
    """A sampled dossier that went through the national portal after an identity check
    (one submission: not a linked group, whose steps are submitted again)."""
    for dossier_id in run.submitted:
        if not sampled(dossier_id, RATIO):
            continue
        spans = find_trace(run.out / "traces", dossier_id).spans
        names = [span["name"] for span in spans]
        if set(NATIONAL_PATH) <= set(names) and names.count(NATIONAL_PATH[2]) == 1:
            return dossier_id, spans
    raise AssertionError("no traced dossier went through the national portal")


def test_the_traced_run_exits_cleanly(traced_run: TracedRun) -> None:
    assert traced_run.code == 0


def test_every_process_writes_its_spans_to_the_run_folder(traced_run: TracedRun) -> None:
    files = {path.stem for path in (traced_run.out / "traces").glob("*.jsonl")}
    assert files == {"simulator", "city_portal", "population_db", "national_portal", "one_stop"}


def test_a_dossier_trace_links_each_span_to_its_parent_across_the_kafka_hops(
    traced_run: TracedRun,
) -> None:
    dossier_id, spans = _national_trace(traced_run)
    by_id = {span["span_id"]: span for span in spans}
    chain = [next(s for s in spans if s["name"] == NATIONAL_PATH[-1])]
    while chain[-1]["parent_id"] is not None:
        chain.append(by_id[chain[-1]["parent_id"]])
    chain.reverse()
    assert [span["name"] for span in chain] == NATIONAL_PATH
    starts = [span["start_ns"] for span in chain]
    assert starts == sorted(starts)
    assert len({span["trace_id"] for span in spans}) == 1
    assert {span["attributes"]["portalsim.dossier_id"] for span in chain} == {dossier_id}
    procedure = chain[0]["attributes"]["portalsim.procedure_code"]
    assert chain[2]["attributes"]["portalsim.procedure_code"] == procedure
    portals = [span["attributes"]["portalsim.portal"] for span in chain[1:]]
    assert portals == [name.split()[0] for name in NATIONAL_PATH[1:]]


def test_the_trace_command_prints_the_dossier_tree_with_durations(traced_run: TracedRun) -> None:
    dossier_id, _ = _national_trace(traced_run)
    completed = _cli("trace", dossier_id, "--run", str(traced_run.out))
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert dossier_id in lines[0]
    found = [next(i for i, line in enumerate(lines) if name in line) for name in NATIONAL_PATH]
    assert found == sorted(found)
    indents = [len(lines[i]) - len(lines[i].lstrip()) for i in found]
    assert indents == sorted(indents) and indents[0] < indents[-1]
    assert all(" ms" in lines[i] for i in found)
    assert "queued" in lines[found[2]]


def test_the_trace_command_says_when_a_dossier_was_not_sampled(traced_run: TracedRun) -> None:
    unsampled = next(d for d in traced_run.submitted if not sampled(d, RATIO))
    completed = _cli("trace", unsampled, "--run", str(traced_run.out))
    assert completed.returncode == 1
    assert "was not sampled" in completed.stdout


def test_only_the_sampled_dossiers_are_traced(traced_run: TracedRun) -> None:
    traced = {
        span["attributes"]["portalsim.dossier_id"]
        for span in read_spans(traced_run.out / "traces")
        if span["name"].startswith("applicant ")
    }
    assert all(sampled(d, RATIO) for d in traced)  # a desk dossier too, digitised or not
    assert {d for d in traced_run.submitted if sampled(d, RATIO)} <= traced
    assert 0 < len(traced) < len(traced_run.submitted)


def test_where_the_time_goes_adds_up_to_100_percent(traced_run: TracedRun) -> None:
    spent = traced_run.summary["time_spent"]
    assert spent["traces"] > 10
    assert sum(row["share"] for row in spent["hops"]) == pytest.approx(1.0, abs=0.005)
    assert sum(row["share"] for row in spent["portals"]) == pytest.approx(1.0, abs=0.005)
    hops = {row["hop"] for row in spent["hops"]}
    assert {"queue dossier.submitted", "identity check (population_db)"} <= hops
    report = (traced_run.out / "report.md").read_text(encoding="utf-8")
    assert "## Where the time goes" in report
