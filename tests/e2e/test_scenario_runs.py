"""`portalsim run` end to end: each run starts its own broker and services, as a user's would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from contracts.catalogue import load_catalogue
from simulator.eventlog import EventLogReader
from simulator.report import PLOT_FILES

HERE = Path(__file__).parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.slow


def run(scenario: Path | str, out: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    """Run the CLI as a user would; the exit code and the summary."""
    completed = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "run", str(scenario), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=900,
    )
    summary_path = out / "summary.json"
    assert summary_path.exists(), completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed.returncode, orjson.loads(summary_path.read_bytes())


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("small-run")
    code, summary = run(HERE / "small-scenario.yaml", out, "--record", str(out / "run.log"))
    return code, summary, out


def test_a_small_run_exits_cleanly(small_run: tuple[int, dict[str, Any], Path]) -> None:
    assert small_run[0] == 0


def test_two_runs_of_the_same_seed_have_the_same_outcome_for_every_dossier(
    small_run: tuple[int, dict[str, Any], Path], small_recorded: Path, tmp_path: Path
) -> None:
    """With Public Security's card line a bottleneck: each card keeps its slot, whichever
    order the national portal took the applications in (docs/flow.md, the ID-card line)."""
    log = small_run[2] / "run.log"
    held = [
        t
        for r in EventLogReader(log)
        if r.topic == "dossier.status.changed" and r.value is not None
        for t in r.value["data"]["transitions"]
        if t["status"] == "awaiting_card"
    ]
    assert len(held) >= 5, "ID cards waited for the card line"
    diff_cli = [sys.executable, "-m", "simulator.cli", "diff", str(small_recorded), str(log)]
    completed = subprocess.run(
        [*diff_cli, "--json", str(tmp_path / "diff.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    diff = orjson.loads((tmp_path / "diff.json").read_bytes())
    assert diff["identical"] is True and diff["differences"] == []
    assert diff["totals"]["same"] > 200


def test_a_small_run_adds_up_with_nothing_lost_or_duplicated(
    small_run: tuple[int, dict[str, Any], Path],
) -> None:
    conservation = small_run[1]["conservation"]
    assert conservation["submitted"] > 100
    assert conservation["holds"] is True
    assert (
        conservation["approved"] + conservation["rejected"] + conservation["unfinished"]
        == (conservation["submitted"])
    )
    assert conservation["lost"] == 0
    assert conservation["duplicated"] == 0


def test_a_run_without_faults_publishes_each_event_id_once_on_every_topic(
    small_run: tuple[int, dict[str, Any], Path],
) -> None:
    records: dict[str, int] = {}
    ids: dict[str, set[str]] = {}
    for record in EventLogReader(small_run[2] / "run.log"):
        records[record.topic] = records.get(record.topic, 0) + 1
        ids.setdefault(record.topic, set()).add(str((record.value or {}).get("id")))
    assert len(records) >= 8, sorted(records)
    assert {t: len(i) for t, i in ids.items()} == records


def test_a_small_run_settles_each_procedure_where_the_catalogue_says(
    small_run: tuple[int, dict[str, Any], Path],
) -> None:
    catalogue = load_catalogue()
    for code, row in small_run[1]["procedures"].items():
        procedure = catalogue.by_code(code)
        expected = "national_portal" if procedure.linked_steps else procedure.settled_by.value
        approved_by = set(row["settled_by"]) - {"city_portal", "one_stop"}  # intake rejections
        assert approved_by <= {expected}, (code, row["settled_by"])


def test_a_small_run_writes_valid_png_plots_and_a_report(
    small_run: tuple[int, dict[str, Any], Path],
) -> None:
    out = small_run[2]
    for name in PLOT_FILES:
        assert (out / name).read_bytes().startswith(PNG_MAGIC), name
    report = (out / "report.md").read_text(encoding="utf-8")
    assert all(name in report for name in PLOT_FILES)


def test_a_run_of_an_invalid_scenario_is_refused_before_anything_starts(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "run", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert "description" in completed.stdout + completed.stderr
    assert not (tmp_path / "o").exists()


def test_the_outage_run_loses_nothing_and_its_national_dossiers_wait_out_the_window(
    tmp_path: Path,
) -> None:
    log = tmp_path / "outage.jsonl.gz"
    code, summary = run(HERE / "outage-scenario.yaml", tmp_path / "outage", "--record", str(log))
    assert code == 0
    assert summary["conservation"]["ok"] is True
    assert summary["conservation"]["unfinished"] == 0
    [fault] = summary["throughput"]["faults"]
    start_ms = summary["run"]["wall_start_ms"]
    window = (start_ms + 1000 * (fault["start_s"] + 1), start_ms + 1000 * (fault["end_s"] - 1))
    national = [
        r.timestamp
        for r in EventLogReader(log)
        if r.topic == "dossier.settled"
        and r.value is not None
        and r.value["data"]["settled_by"] not in {"city_portal", "one_stop"}
    ]
    inside = [t for t in national if window[0] <= t <= window[1]]
    after = [t for t in national if t > window[1]]
    assert not inside, "nothing the stopped national portal settles can settle while it is down"
    assert after, "its dossiers drain after the restart"


def test_foreigners_are_refused_without_the_policy_and_accepted_with_it(tmp_path: Path) -> None:
    code, summary = run(HERE / "foreigners-scenario.yaml", tmp_path / "foreigners")
    assert code == 0
    refused_without = summary["accounts"]["by_kind"]["foreigner"].get("refused", 0)
    variant = orjson.loads(
        (
            tmp_path / "foreigners" / "variants" / "foreigners-may-register" / "summary.json"
        ).read_bytes()
    )
    assert refused_without > 0
    assert variant["accounts"]["by_kind"]["foreigner"].get("refused", 0) == 0
    assert variant["accounts"]["by_kind"]["foreigner"]["active"] == refused_without
    assert "foreigners-may-register" in summary["variants"]
