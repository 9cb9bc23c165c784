"""Watching a run: the services' metrics, a real Prometheus, the live page in a real Chromium.

One run of the small scenario with `--live --live-hold --prometheus`, watched from its
start by a headless Chromium (Debian's `chromium`, through the DevTools protocol), serves
every test here; the live page is held after the run until the test sends Ctrl-C.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import yaml

from contracts.topics import TOPICS, ServiceName
from simulator.system.processes import free_port
from simulator.watch.scrape import MetricsText, parse_metrics
from tests.browser import HeadlessPage, chromium_binary
from tests.e2e.conftest import SMALL_SCENARIO

pytestmark = pytest.mark.slow

#: What the page shows, read from its DOM.
READ_PAGE = """JSON.stringify({
  state: document.getElementById("state").textContent,
  figures: Object.fromEntries([...document.querySelectorAll("[data-figure]")]
    .map((n) => [n.dataset.figure, Number(n.textContent.replaceAll(",", ""))])),
  portals: Object.fromEntries([...document.querySelectorAll("#portals tr[data-portal]")]
    .map((r) => [r.dataset.portal, Number(r.querySelector("[data-count]").dataset.count)])),
  services: [...document.querySelectorAll("#services tr[data-service]")]
    .map((r) => r.dataset.service),
  outbox: [...document.querySelectorAll("#services [data-metric=outbox_depth]")]
    .reduce((sum, n) => sum + Number(n.textContent.replaceAll(",", "")), 0),
  slowest: document.querySelectorAll("#slowest tbody tr").length,
  points: document.querySelectorAll("polyline[data-series=settled]").length
    ? document.querySelector("polyline[data-series=settled]").getAttribute("points")
      .split(" ").filter(Boolean).length : 0,
})"""


@dataclass
class WatchedRun:
    """What the watched run left: its folder, summary, what the page showed, and more."""

    out: Path
    code: int = -1
    stdout: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    during: list[dict[str, Any]] = field(default_factory=list)  # the page, sampled
    final: dict[str, Any] = field(default_factory=dict)  # the page once finished
    held_query: list[dict[str, Any]] = field(default_factory=list)  # asked during the hold
    prometheus_url: str = ""

    def metrics(self) -> dict[str, MetricsText]:
        """The services' final metrics, as the run kept them."""
        folder = self.out / "metrics"
        return {p.stem: parse_metrics(p.read_text()) for p in folder.glob("*.prom")}


def _wait(condition: Any, timeout_s: float, what: str, process: subprocess.Popen[bytes]) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process.poll() is not None:
            raise AssertionError(f"the run exited ({process.returncode}) before {what}")
        time.sleep(0.25)
    raise AssertionError(f"no {what} within {timeout_s:.0f} s")


def _read(page: HeadlessPage) -> dict[str, Any]:
    shown: dict[str, Any] = orjson.loads(page.evaluate(READ_PAGE))
    return shown


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small scenario twice over with a slow population database (20 ms a check).

    The pipeline settles the small scenario within one tick of the page (a second); the
    slow database stretches the run over ten seconds or more, for the page to follow.
    """
    raw = yaml.safe_load(SMALL_SCENARIO.read_text(encoding="utf-8"))
    raw["demand"]["scale"] = raw["demand"]["scale"] * 2
    raw["population_db_delay_ms"] = 20
    path = tmp_path_factory.mktemp("watched") / "watched.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def watched(scenario: Path, tmp_path_factory: pytest.TempPathFactory) -> WatchedRun:
    if chromium_binary() is None or not shutil.which("prometheus"):
        pytest.skip("chromium or prometheus missing (bash scripts/bootstrap.sh installs them)")
    out = tmp_path_factory.mktemp("watched-run")
    port = free_port()
    command = [sys.executable, "-m", "simulator.cli", "run", str(scenario), "--out"]
    command += [str(out), "--live", "--live-port", str(port), "--live-hold", "--prometheus"]
    console = out / "console.txt"
    with console.open("w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    run = WatchedRun(out)
    page_url = f"http://127.0.0.1:{port}/"
    try:
        _wait(lambda: _answers(page_url), 60, "live page", process)
        with HeadlessPage(page_url) as page:
            page.wait_for("!!document.getElementById('state') && !!window.EventSource")
            while (shown := _read(page))["state"] != "finished":
                run.during.append(shown)
                assert process.poll() is None, "the run ended before its page finished"
                assert len(run.during) < 4 * 600, "the run took over ten minutes"
                time.sleep(0.25)
            summary_file = out / "summary.json"
            _wait(summary_file.exists, 120, "summary.json", process)
            _wait(lambda: "stays at" in console.read_text(), 60, "the hold", process)
            run.final = _read(page)
            page.screenshot(out / "live.png")
        run.summary = orjson.loads(summary_file.read_bytes())
        prometheus = re.search(r"prometheus: (http://\S+)", console.read_text())
        run.prometheus_url = prometheus.group(1) if prometheus else ""
        if run.prometheus_url:
            answer = httpx.get(
                run.prometheus_url + "/api/v1/query",
                params={"query": "portalsim_sim_dossiers_submitted_total"},
                timeout=5,
            ).json()
            run.held_query = answer["data"]["result"]
        process.send_signal(signal.SIGINT)  # Ctrl-C ends the hold
        run.code = process.wait(timeout=60)
        run.stdout = console.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return run


def test_a_held_run_ends_cleanly_on_ctrl_c(watched: WatchedRun) -> None:
    assert watched.code == 0, watched.stdout[-3000:]


def test_a_small_runs_metrics_match_its_summary(watched: WatchedRun) -> None:
    metrics, summary = watched.metrics(), watched.summary
    assert set(metrics) == {"city_portal", "population_db", "national_portal", "one_stop"}
    per_topic = summary["bus"]["per_topic"]
    for registered in TOPICS:
        for consumer in registered.consumers:
            consumed = metrics[str(consumer)].total(
                "portalsim_records_consumed_total", topic=registered.name
            )
            assert consumed == per_topic.get(registered.name, 0), (consumer, registered.name)
    produced: Counter[str] = Counter()
    settled: Counter[str] = Counter()
    deadlettered = 0.0
    for service in metrics.values():
        produced.update(service.by_label("portalsim_records_produced_total", "topic"))
        settled.update(service.by_label("portalsim_dossiers_settled_total", "settled_by"))
        deadlettered += service.total("portalsim_records_deadlettered_total")
    by_services = {t.name for t in TOPICS if t.producers - {ServiceName.SIMULATOR}}
    bus = Counter({t: float(n) for t, n in per_topic.items() if t in by_services})
    assert produced == bus  # (the simulator's own clock is no service's)
    expected = Counter(summary["settled_per_portal"])
    expected.update(summary["linked_steps"]["settled_by"])  # steps settle as dossiers too
    assert settled == expected
    assert deadlettered == summary["deadletters"]["total"]


def test_the_prometheus_of_a_run_scrapes_every_service_and_answers_queries(
    watched: WatchedRun,
) -> None:
    config = (watched.out / "prometheus" / "prometheus.yml").read_text()
    for service in ("city_portal", "population_db", "national_portal", "one_stop", "simulator"):
        assert f"service: {service}" in config
    queried = orjson.loads((watched.out / "prometheus.json").read_bytes())
    consumed = queried[0]
    assert consumed["caught_up"] is True
    assert consumed["result"] == {
        service: metrics.total("portalsim_records_consumed_total")
        for service, metrics in watched.metrics().items()
    }
    [submitted] = watched.held_query  # the simulator's own metrics, scraped
    assert float(submitted["value"][1]) == watched.summary["conservation"]["submitted"]
    assert "## Prometheus" in (watched.out / "report.md").read_text(encoding="utf-8")
    assert not _answers(watched.prometheus_url + "/-/ready"), "stopped with the command"


def test_the_live_page_renders_and_its_figures_move_during_the_run(watched: WatchedRun) -> None:
    settled = [shown["figures"]["settled"] for shown in watched.during]
    assert settled == sorted(settled), "a count never goes back"
    assert len(set(settled)) >= 3, f"the settled figure hardly moved: {sorted(set(settled))}"
    running = [shown for shown in watched.during if shown["state"] == "running"]
    assert running and max(shown["points"] for shown in running) >= 2  # a line is drawn
    assert watched.final["services"] == sorted(watched.metrics())
    assert (watched.out / "live.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_the_live_pages_final_figures_equal_the_summary(watched: WatchedRun) -> None:
    figures, summary = watched.final["figures"], watched.summary
    conservation = summary["conservation"]
    assert figures["submitted"] == conservation["submitted"]
    assert figures["settled"] == conservation["approved"] + conservation["rejected"]
    assert figures["in_flight"] == conservation["unfinished"]
    assert figures["deadletters"] == summary["deadletters"]["total"]
    assert figures["desk_backlog"] == summary["desk_backlog"]["final_total"]
    assert watched.final["portals"] == summary["settled_per_portal"]
    assert watched.final["slowest"] == 0 and watched.final["outbox"] == 0, watched.final
