"""The scenario report: summary figures, plots, report.md and the comparison of two runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import typer
from typer.testing import CliRunner

from simulator.commands.compare import compare_command
from simulator.drive.observations import FaultWindow, Observations
from simulator.report import PLOT_FILES, build_summary, compare_summaries, write_run_report
from simulator.report.compare import write_comparison
from simulator.report.stats import percentile
from simulator.scenarios.scenario import Scenario
from tests.observed import observed_settlement as _settlement
from tests.observed import observed_submission as _submission

BIRTH, RESIDENCE, LINKED_BIRTH = "1.001193", "1.004222", "HN.P06.15"
START_MS = 1_000_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REJECTED_LATE: dict[str, Any] = {"outcome": "rejected", "reason_code": "identity_mismatch"}
REJECTED_LATE |= {"working_days_taken": 9.0, "legal_limit_days": 7, "within_legal_limit": False}
Summary = dict[str, Any]


def _scenario() -> Scenario:
    demand = {"9": {"per_day": 10}, "3": {"per_year": 118880, "published": True}}
    raw = {"name": "tiny", "description": "A tiny hand-made run.", "demand": {"procedures": demand}}
    return Scenario.model_validate({**raw, "policies": {"desk_capacity_per_day": 8}})


def _observations() -> Observations:
    """Nine roots: 3 city, 2 ministry (one rejected, one settled twice), a desk return,
    a linked group with two steps, one open, one lost."""
    seen = Observations(wall_start_ms=START_MS, wall_end_ms=START_MS + 5_000)
    roots = {
        "city1": (BIRTH, "city_portal", 100, 200, {}),
        "city2": (BIRTH, "city_portal", 100, 400, {}),
        "city3": (BIRTH, "city_portal", 0, 1000, {}),
        "min1": (RESIDENCE, "ministry.public_security", 100, 150, {}),
        "rej1": (RESIDENCE, "ministry.public_security", 100, 180, REJECTED_LATE),
        "linked1": (LINKED_BIRTH, "national_portal", 100, 2100, {}),
    }
    for dossier_id, (code, by, sub_ms, settle_ms, kw) in roots.items():
        seen.accepted[dossier_id] = f"00101-260302-{dossier_id}"
        seen.submissions[dossier_id] = _submission(dossier_id, code, START_MS + sub_ms)
        seen.settlements[dossier_id] = {
            f"ev-{dossier_id}": _settlement(dossier_id, code, by, START_MS + settle_ms, **kw)
        }
    seen.settlements["min1"]["ev-min1-again"] = _settlement(
        "min1", RESIDENCE, "ministry.public_security", START_MS + 900, event_id="ev-min1-again"
    )
    seen.accepted["desk1"] = "00601-260302-0001"
    returned = {"channel": "desk", "outcome": "rejected", "reason_code": "scan_failed"}
    seen.settlements["desk1"] = {
        "ev-desk1": _settlement("desk1", RESIDENCE, "one_stop", START_MS + 300, **returned)
    }
    steps = [("step1", BIRTH, "city_portal"), ("step2", RESIDENCE, "ministry.public_security")]
    for step, code, by in steps:
        parent = {"parent_dossier_id": "linked1"}
        seen.submissions[step] = _submission(step, code, START_MS + 500, channel="linked", **parent)
        seen.settlements[step] = {
            f"ev-{step}": _settlement(step, code, by, START_MS + 900, **parent)
        }
    seen.accepted["open1"] = "00101-260302-0009"
    seen.submissions["open1"] = _submission("open1", BIRTH, START_MS + 100)
    seen.last_status["open1"] = ("identity_check", "city_portal")
    seen.accepted["lost1"] = "00101-260302-0010"
    seen.deadletters[("dossier.submitted", "validation failed")] += 2
    seen.deadletters[("identity.check.requested", "unparseable")] += 1
    queue = [("00102", "09:30", 6), ("00101", "08:00", 2), ("00102", "08:00", 3)]  # unordered
    queue += [("00601", "08:30", 4), ("00101", "09:00", 1), ("00601", "10:00", 0)]
    seen.desk_queue.extend((unit, f"2026-03-02T{hhmm}:00+07:00", n) for unit, hhmm, n in queue)
    seen.accounts["acc1"] = {"kind": "foreigner", "status": "refused", "reason": "foreigners"}
    seen.accounts["acc2"] = {"kind": "citizen", "status": "active", "reason": None}
    seen.refused["account refused: foreigners cannot register"] += 1
    seen.events_per_topic.update({"dossier.submitted": 8, "dossier.settled": 10})
    seen.event_wall_ms.extend(START_MS + ms for ms in (100, 200, 1500, 1600, 2500, 4000))
    seen.faults.append(FaultWindow("national_portal", 1.0, 2.0))
    return seen


def _summary(observations: Observations | None = None) -> Summary:
    seen = observations if observations is not None else _observations()
    return build_summary(_scenario(), seen, wall_seconds=5.0, seed=6)


@pytest.fixture(scope="module")
def summary() -> Summary:
    return _summary()


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory, summary: Summary) -> Path:
    out = tmp_path_factory.mktemp("report")
    write_run_report(summary, out)
    return out


def test_nearest_rank_percentile_picks_the_smallest_value_covering_p_percent() -> None:
    values = [15, 20, 35, 40, 50]
    assert [percentile(values, p) for p in (5, 30, 40, 50, 100)] == [15, 20, 20, 35, 50]


def test_approved_rejected_and_unfinished_add_up_to_submitted(summary: Summary) -> None:
    cons = summary["conservation"]
    assert [cons[k] for k in ("submitted", "approved", "rejected", "unfinished")] == [9, 5, 2, 2]
    assert cons["holds"] is True


def test_an_accepted_dossier_never_submitted_nor_settled_is_lost(summary: Summary) -> None:
    assert summary["conservation"]["lost"] == 1
    assert [d["dossier_id"] for d in summary["lost_dossiers"]] == ["lost1"]


def test_a_dossier_with_two_settlement_events_counts_as_duplicated(summary: Summary) -> None:
    assert summary["conservation"]["duplicated"] == 1
    assert summary["duplicated_dossiers"] == [{"dossier_id": "min1", "kind": "root", "events": 2}]


def test_a_run_with_a_lost_or_duplicated_dossier_is_not_ok(summary: Summary) -> None:
    assert summary["conservation"]["ok"] is False


def test_unfinished_dossiers_are_listed_with_their_last_status(summary: Summary) -> None:
    rows = {row["dossier_id"]: row for row in summary["unfinished_dossiers"]}
    assert (rows["open1"]["status"], rows["open1"]["by"]) == ("identity_check", "city_portal")
    assert rows["lost1"]["status"] is None


def test_linked_steps_are_counted_apart_from_roots(summary: Summary) -> None:
    steps = summary["linked_steps"]
    assert (steps["count"], steps["approved"], steps["rejected"]) == (2, 2, 0)
    assert steps["settled_by"] == {"city_portal": 1, "ministry.public_security": 1}


def test_wall_latency_per_path_uses_nearest_rank_percentiles(summary: Summary) -> None:
    city = summary["latency_per_path"]["city_portal"]
    assert (city["count"], city["p50_ms"], city["p95_ms"], city["p99_ms"]) == (3, 300, 1000, 1000)


def test_latency_paths_separate_linked_groups_and_desk_returns(summary: Summary) -> None:
    paths = ["city_portal", "ministry.public_security", "linked", "desk_returned", "all"]
    assert list(summary["latency_per_path"]) == paths
    assert summary["latency_per_path"]["linked"]["p50_ms"] == 2000


def test_latency_is_measured_from_the_first_settlement_event(summary: Summary) -> None:
    assert summary["latency_per_path"]["ministry.public_security"]["max_ms"] == 80


def test_a_desk_return_without_a_submission_has_no_wall_latency(summary: Summary) -> None:
    desk = summary["latency_per_path"]["desk_returned"]
    assert (desk["count"], desk["unmeasured"]) == (0, 1)


def test_desk_backlog_peak_per_district_sums_each_desks_latest_queue(summary: Summary) -> None:
    rows = summary["desk_backlog"]["districts"]
    peaks = [(d["code"], d["peak"], d["peak_simtime"][11:16]) for d in rows]
    assert peaks == [("001", 7, "09:30"), ("006", 4, "08:30")]


def test_desk_backlog_overall_peak_is_the_largest_sum_over_all_desks(summary: Summary) -> None:
    assert summary["desk_backlog"]["peak"] == {"total": 11, "simtime": "2026-03-02T09:30:00+07:00"}


def test_per_procedure_rows_count_rejections_by_reason_and_settling_portal(
    summary: Summary,
) -> None:
    residence = summary["procedures"][RESIDENCE]
    assert residence["submitted"] == 3
    assert residence["rejected_by_reason"] == {"identity_mismatch": 1, "scan_failed": 1}
    assert residence["settled_by"] == {"ministry.public_security": 2, "one_stop": 1}


def test_per_procedure_share_within_the_legal_limit_counts_judged_dossiers_only(
    summary: Summary,
) -> None:
    residence = summary["procedures"][RESIDENCE]
    assert (residence["judged_against_limit"], residence["share_within_legal_limit"]) == (1, 0.0)
    assert residence["legal_limit_days"] == 7


def test_procedure_volumes_are_marked_published_or_synthetic(summary: Summary) -> None:
    assert summary["data_note"]["published"] == [RESIDENCE]
    assert summary["data_note"]["synthetic"] == [BIRTH]


def test_dead_letters_are_totalled_by_topic(summary: Summary) -> None:
    dead = summary["deadletters"]
    assert dead["total"] == 3
    assert dead["by_topic"] == {"dossier.submitted": 2, "identity.check.requested": 1}


def test_refusals_and_refused_accounts_are_counted_by_reason(summary: Summary) -> None:
    assert summary["refused"]["by_reason"] == {"account refused: foreigners cannot register": 1}
    assert summary["accounts"]["refused_by_reason"] == {"foreigners": 1}


def test_throughput_keeps_the_fault_windows_of_the_run(summary: Summary) -> None:
    faults = [(f["service"], f["start_s"], f["end_s"]) for f in summary["throughput"]["faults"]]
    assert faults == [("national_portal", 1.0, 2.0)]
    assert summary["throughput"]["settlements_per_s"]["total"] == 7


def test_policies_changed_from_the_defaults_are_named(summary: Summary) -> None:
    changed = summary["scenario"]["policies_changed"]
    assert changed == {"desk_capacity_per_day": {"value": 8, "default": 400}}


def test_the_headline_states_the_counts_and_the_conservation_check(summary: Summary) -> None:
    assert summary["answer"][0].startswith("9 dossiers submitted")
    assert "1 lost, 1 duplicated" in summary["answer"][1]


def test_the_summary_is_deterministic_json(summary: Summary) -> None:
    assert orjson.dumps(_summary()) == orjson.dumps(summary)


def test_every_plot_is_written_as_a_png(report_dir: Path) -> None:
    for name in PLOT_FILES:
        assert (report_dir / name).read_bytes().startswith(PNG_MAGIC), name


def test_the_report_embeds_every_plot(report_dir: Path) -> None:
    text = (report_dir / "report.md").read_text(encoding="utf-8")
    assert all(f"]({name})" in text for name in PLOT_FILES)


def test_the_report_says_which_volumes_are_synthetic(report_dir: Path) -> None:
    text = (report_dir / "report.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in text
    assert "Published figures, counts of online submissions: 3. Permanent residence" in text


def test_summary_json_keeps_the_summarys_key_order(report_dir: Path, summary: Summary) -> None:
    written = orjson.loads((report_dir / "summary.json").read_bytes())
    assert list(written) == list(summary)


def test_empty_observations_give_a_full_report(tmp_path: Path) -> None:
    empty = _summary(Observations())
    paths = write_run_report(empty, tmp_path)
    assert empty["conservation"]["holds"] is True
    assert all(path.exists() for path in paths.values())


def test_compare_gives_b_minus_a_for_each_figure(summary: Summary) -> None:
    other = _observations()
    del other.accepted["lost1"]
    other.settlements["open1"] = {"ev-open1": _settlement("open1", BIRTH, "city_portal", START_MS)}
    comparison = compare_summaries(summary, _summary(other))
    counts = {row["figure"]: row for row in comparison["sections"]["counts"]}
    assert [counts["approved"][k] for k in ("a", "b", "delta")] == [5, 6, 1]
    assert counts["lost"]["delta"] == -1


def test_write_comparison_writes_json_and_markdown(summary: Summary, tmp_path: Path) -> None:
    paths = write_comparison(compare_summaries(summary, summary), tmp_path, "compare-x")
    assert paths["json"].name == "compare-x.json"
    assert "| approved | 5 | 5 | 0 |" in paths["markdown"].read_text(encoding="utf-8")


def _compare_app() -> typer.Typer:
    app = typer.Typer()
    app.command()(compare_command)
    return app


def test_compare_command_writes_beside_run_b_by_default(report_dir: Path, tmp_path: Path) -> None:
    run_b = tmp_path / "b"
    run_b.mkdir()
    (run_b / "summary.json").write_bytes((report_dir / "summary.json").read_bytes())
    result = CliRunner().invoke(_compare_app(), [str(report_dir), str(run_b)])
    assert result.exit_code == 0, result.output
    assert (run_b / f"compare_with_{report_dir.name}" / "compare.md").exists()


def test_compare_command_exits_2_without_a_summary(report_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(_compare_app(), [str(report_dir), str(tmp_path)])
    assert result.exit_code == 2
    assert "summary.json" in result.output
