"""Watching a run, without a system: the live tally, the simulator's app, scrape configuration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import yaml
from typer.testing import CliRunner

from simulator.cli import app
from simulator.drive.observations import FaultWindow, Observations, Settlement, Submission
from simulator.report import build_summary
from simulator.scenarios.scenario import Fault, load_scenario
from simulator.watch.queries import append_to_report
from simulator.watch.quiet import service_figures
from simulator.watch.scrape import parse_metrics
from simulator.watch.scrape_config import COMPOSE_TARGETS, compose_config, scrape_config
from simulator.watch.server import WatchServer
from simulator.watch.tally import LiveTally

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "e2e" / "small-scenario.yaml"


def _submission(dossier_id: str, wall_ms: int = 1_000) -> Submission:
    return Submission(
        dossier_id, f"001-{dossier_id}", "1.001193", "online", "001", None, wall_ms, ""
    )


def _settlement(dossier_id: str, settled_by: str, outcome: str, wall_ms: int) -> Settlement:
    return Settlement(
        event_id=f"e-{dossier_id}-{wall_ms}",
        dossier_id=dossier_id,
        dossier_code=f"001-{dossier_id}",
        procedure_code="1.001193",
        channel="online",
        received_unit="001",
        parent_dossier_id=None,
        outcome=outcome,
        settled_by=settled_by,
        reason_code=None,
        reason_text=None,
        result_document_number=None,
        working_days_taken=0.0,
        legal_limit_days=None,
        within_legal_limit=None,
        received_simtime="2026-03-02T09:00:00+07:00",
        settled_simtime="2026-03-02T10:00:00+07:00",
        wall_ms=wall_ms,
    )


def _settle(seen: Observations, dossier_id: str, settled_by: str, outcome: str, ms: int) -> None:
    settlement = _settlement(dossier_id, settled_by, outcome, ms)
    seen.settlements.setdefault(dossier_id, {})[settlement.event_id] = settlement


def test_the_tallys_last_snapshot_equals_the_summary_of_the_same_observations() -> None:
    seen = Observations()
    tally = LiveTally(seen, label="small")
    for n in range(6):
        seen.accepted[f"d{n}"] = f"001-d{n}"
        seen.submissions[f"d{n}"] = _submission(f"d{n}")
    assert tally.snapshot()["in_flight_by_stage"] == {"submitted": 6}
    _settle(seen, "d0", "city_portal", "approved", 2_000)
    _settle(seen, "d1", "ministry.justice", "rejected", 2_100)
    _settle(seen, "d1", "one_stop", "approved", 1_900)  # the first settlement counts
    seen.last_status["d2"] = ("routed", "city_portal")
    seen.desk_queue += [
        ("00101", "2026-03-02T09:00:00+07:00", 3),
        ("00101", "2026-03-02T10:00:00+07:00", 1),
    ]
    seen.deadletters[("dossier.settled", "signature")] += 2
    middle = tally.snapshot()
    assert middle["in_flight_by_stage"] == {"routed": 1, "submitted": 3}
    assert middle["slowest_open"][0]["status"] in {"routed", "submitted"}
    ages = [row["age_s"] for row in middle["slowest_open"]]
    assert ages == sorted(ages, reverse=True)
    for n in range(2, 6):
        _settle(seen, f"d{n}", "ministry.public_security", "approved", 3_000 + n)
    last = tally.snapshot()
    summary = build_summary(load_scenario(SMALL), seen, wall_seconds=1.0, seed=6)
    assert last["settled_per_portal"] == summary["settled_per_portal"]
    assert last["submitted"] == summary["conservation"]["submitted"] == 6
    assert last["approved"] == summary["conservation"]["approved"]
    assert last["rejected"] == summary["conservation"]["rejected"]
    assert last["in_flight"] == summary["conservation"]["unfinished"] == 0
    assert last["deadletters"] == summary["deadletters"]["total"] == 2
    assert last["desk_backlog"] == summary["desk_backlog"]["final_total"] == 1
    assert len(last["series"]) == 2  # one point per tick after the first


def test_fault_windows_are_planned_then_on_then_over() -> None:
    seen = Observations()
    tally = LiveTally(seen, [Fault(service="national_portal", stop_at_s=0, restart_at_s=3600)])
    [window] = tally.snapshot()["faults"]
    assert (window["service"], window["state"]) == ("national_portal", "on")
    seen.faults.append(FaultWindow("national_portal", 0.1, 4.0))
    [window] = tally.snapshot()["faults"]
    assert (window["state"], window["end_s"]) == ("over", 4.0)


@pytest.fixture
def server() -> Iterator[WatchServer]:
    watch = WatchServer()
    watch.start()
    yield watch
    watch.stop()


def _snapshot() -> dict[str, Any]:
    return LiveTally(Observations(), label="small").snapshot() | {
        "submitted": 7,
        "settled_per_portal": {"city_portal": 4},
        "in_flight_by_stage": {"routed": 3},
        "deadletters_by_topic": {"dossier.settled": 1},
    }


def test_the_simulators_app_serves_the_page_its_assets_and_the_snapshot(
    server: WatchServer,
) -> None:
    page = httpx.get(server.url, timeout=5)
    assert page.status_code == 200 and "/assets/live.js" in page.text
    for asset in ("live.js", "live.css"):
        assert httpx.get(server.url + "assets/" + asset, timeout=5).status_code == 200
    assert httpx.get(server.url + "assets/secret.txt", timeout=5).status_code == 404
    assert httpx.get(server.url + "snapshot", timeout=5).json() is None
    server.publish(_snapshot())
    assert httpx.get(server.url + "snapshot", timeout=5).json()["submitted"] == 7


def test_the_page_leans_on_nothing_from_outside() -> None:
    assets = ROOT / "simulator" / "watch" / "assets"
    for asset in assets.iterdir():
        text = asset.read_text(encoding="utf-8")
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", ""), asset.name
        assert "https://" not in text, asset.name


def test_the_snapshots_stream_as_server_sent_events(server: WatchServer) -> None:
    server.publish(_snapshot(), finished=True)
    with httpx.stream("GET", server.url + "events", timeout=5) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        line = next(line for line in stream.iter_lines() if line)
    event = orjson.loads(line.removeprefix("data: "))
    assert event["finished"] is True and event["submitted"] == 7


def test_the_simulator_serves_its_own_metrics(server: WatchServer) -> None:
    server.publish(_snapshot())
    metrics = parse_metrics(httpx.get(server.url + "metrics", timeout=5).text)
    assert metrics.total("portalsim_sim_dossiers_submitted_total", run="small") == 7
    assert metrics.total("portalsim_sim_dossiers_settled_total", portal="city_portal") == 4
    assert metrics.total("portalsim_sim_dossiers_in_flight", stage="routed") == 3
    assert metrics.total("portalsim_sim_deadletters_total") == 1


def test_a_runs_scrape_configuration_labels_each_target_with_its_service_and_run() -> None:
    urls = {
        "city_portal": "http://127.0.0.1:40001",
        "national_portal-2": "http://127.0.0.1:40002",
        "simulator": "http://127.0.0.1:40009/",
    }
    config = yaml.safe_load(scrape_config(urls, run="small/variant"))
    [job] = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert [(s["targets"], s["labels"]) for s in job["static_configs"]] == [
        (["127.0.0.1:40001"], {"service": "city_portal", "run": "small/variant"}),
        (
            ["127.0.0.1:40002"],
            {"service": "national_portal", "replica": "national_portal-2", "run": "small/variant"},
        ),
        (["127.0.0.1:40009"], {"service": "simulator", "run": "small/variant"}),
    ]


def test_the_compose_prometheus_uses_the_committed_scrape_configuration() -> None:
    committed = (ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text(encoding="utf-8")
    assert committed == compose_config(), (
        "regenerate: python -c 'from simulator.watch.scrape_config import compose_config; "
        'print(compose_config(), end="")\' > deploy/prometheus/prometheus.yml'
    )
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    prometheus = compose["services"]["prometheus"]
    assert prometheus["profiles"] == ["watch"]
    assert "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus["volumes"]
    assert set(prometheus["depends_on"]) == set(COMPOSE_TARGETS)


def test_the_report_quotes_the_queries_and_their_answers(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    report.write_text("# run\n", encoding="utf-8")
    results = [
        {"title": "Consumed", "query": "sum(x)", "result": {"city_portal": 1234.0}},
        {"title": "Dead letters", "query": "sum(y)", "result": {}},
    ]
    append_to_report(report, results)
    text = report.read_text(encoding="utf-8")
    assert "## Prometheus" in text and "`sum(x)`" in text
    assert "| city_portal | 1,234 |" in text and "| (none) | 0 |" in text
    append_to_report(tmp_path / "missing.md", results)
    assert not (tmp_path / "missing.md").exists()


def test_a_service_that_does_not_answer_shows_as_down_beside_the_others() -> None:
    scraped = {"city_portal": parse_metrics('portalsim_consumer_lag{topic="a"} 4\n')}
    figures = service_figures(scraped, ["city_portal", "national_portal"])
    assert figures["national_portal"] == {"up": 0.0}
    assert figures["city_portal"]["up"] == 1.0 and figures["city_portal"]["lag"] == 4.0


def test_a_run_with_prometheus_but_no_prometheus_binary_is_refused_before_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTALSIM_PROMETHEUS", str(tmp_path / "no-prometheus"))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(SMALL), "--out", str(out), "--prometheus"])
    assert result.exit_code == 2, result.output
    assert "prometheus not found" in " ".join(result.output.split())
    assert not out.exists()
