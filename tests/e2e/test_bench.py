"""`portalsim bench` end to end: a small run on its own broker writes every figure.

It checks that the command works and that the JSON has every field; it asserts no
speed figure (the machine decides those).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("population_db", "city_portal", "national_portal", "one_stop")
PATHS = ("city", "national", "ministry", "linked", "all")


@pytest.mark.timeout(900)
def test_a_small_bench_run_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    command = [
        sys.executable, "-m", "simulator.cli", "bench",
        "--dossiers", "500", "--population", "5000", "--json", str(out),
        "--latency-seconds", "3", "--http", "--http-dossiers", "40",
    ]  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=850, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "pipeline / baseline" in done.stdout
    result = json.loads(out.read_text())

    run = result["throughput"]
    assert run["dossiers"] == run["settled"] == 500
    assert not run["timed_out"]
    for field in ("dossiers_per_second", "events_per_second", "pipeline_seconds", "events"):
        assert run[field] > 0, field
    assert run["events"] > run["dossiers"]
    assert set(run["latency_ms"]) == set(PATHS)
    for figures in run["latency_ms"].values():
        assert {"count", "p50_ms", "p95_ms", "p99_ms", "max_ms"} <= set(figures)
    assert run["latency_ms"]["all"]["count"] == 500
    for name in SERVICES:
        resources = run["resources"][name]
        assert resources["cpu_seconds"] >= 0
        assert resources["peak_rss_mb"] > 0
        assert resources["peak_rss_since_start_mb"] >= resources["peak_rss_mb"] * 0.5
    assert run["cpu_ms_per_dossier"]["with_kafka"] >= run["cpu_ms_per_dossier"]["services"] > 0
    assert run["resources"]["bench"]["cpu_seconds"] >= 0
    lag = run["consumer_lag"]
    assert set(lag["max_per_group"]) == set(SERVICES)
    assert lag["max"] == max(lag["max_per_group"].values())

    baseline = result["baseline"]
    assert baseline["records"] == run["events"]
    assert baseline["seconds"] > 0
    assert result["ratio_pipeline_to_baseline"] > 0

    paced = result["latency_run"]
    assert paced["settled"] == paced["dossiers"] > 0
    assert paced["rate_offered"] > 0
    assert paced["p99_ms"] == paced["latency_ms"]["all"]["p99_ms"]

    http = result["http"]
    assert http["accepted"] > 0 and http["requests_per_second"] > 0
    http_cpu = http["cpu_ms_per_dossier"]
    assert http_cpu["with_kafka"] >= http_cpu["services"] > 0
    assert http_cpu["bench"] > 0  # the bench drives the applicants
    assert set(http["cpu_seconds"]) == set(run["resources"])

    population = result["population"]
    assert population["size"] == 5000
    assert population["seed_seconds"] is not None
    assert population["reseeded_on_restart"] is False

    machine = result["machine"]
    assert machine["cores"] >= 1 and machine["memory_gb"] > 0
    assert len(machine["load_average"]) == 3
    assert result["config"]["dossiers"] == 500
    assert result["config"]["signed"] is True

    signing = result["signing"]
    assert signing["run_signed"] is True
    assert signing["envelopes"] > 0
    assert signing["mean_bytes_signed"] > signing["mean_bytes_unsigned"] > 0
    for name in (
        "sign",
        "verify",
        "sign_in_batches",
        "verify_in_batches",
        "read_unsigned",
        "read_signed_one_parse",
    ):
        assert signing[name]["us"] > 0 and signing[name]["per_second"] > 0, name
    assert signing["read_signed_two_parses"]["us"] > 0
