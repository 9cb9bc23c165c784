"""One benchmark: what it runs, in which order, and the result it assembles.

Order: broker and services up (the population seeded) while the workload is built; N
dossiers injected at once and watched until every one has settled and every consumer
group has caught up, the records of that run counted (`injected.py`); the same number of
records of the same sizes through plain aiokafka; then dossiers injected at a fixed rate
(half the measured peak unless given) for their latency (`injected.py`); then the HTTP
path (citizens' accounts and dossiers, thousands in flight, until settled) beside the
injected one, with their ratio (`--no-http`: not); finally population_db restarted to
show it answers from its file without reseeding. The run is signed unless `signed=False`
(`--unsigned`); the cost of signing and verifying one envelope is measured in this
process as well (`signing`). The workloads are made in a worker process and streamed
(`workload`); the bench process's own peak memory and the worker's are in `memory`. With
`tracing="file"` the services write spans, and tracing's cost is measured in the same
session (`tracing_cost.py`).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console

from services.kit.topics_admin import ensure_topics
from simulator.bench.baseline import run_baseline
from simulator.bench.host import machine, peak_rss_mb
from simulator.bench.ingress import measure_http
from simulator.bench.injected import (
    measure_latency,
    measure_throughput,
    measure_throughput_only,
    metered_pids,
)
from simulator.bench.population import bench_settings, restart_population_db, seed_report
from simulator.bench.signing import measure_signing
from simulator.bench.tracing_cost import measure_tracing_cost
from simulator.bench.workload import WorkloadMaker
from simulator.scenarios.scenario import DEFAULT_CONCURRENCY
from simulator.system.lifecycle import System, SystemPlan, running_system
from simulator.system.settings import traced
from simulator.system.stores import StoreKind

__all__ = ["BenchOptions", "run_bench"]

START = date(2026, 3, 2)


@dataclass(frozen=True)
class BenchOptions:
    """What to run."""

    dossiers: int = 50_000
    population: int = 1_000_000
    rate: float | None = None
    latency_seconds: float = 20.0
    http: bool = True
    http_dossiers: int = 5_000
    http_concurrency: int = DEFAULT_CONCURRENCY
    bootstrap: str | None = None
    settle_timeout_s: float = 1800.0
    restart_check: bool = True
    logs_to: Path | None = None
    signed: bool = True
    tracing: str = "off"  # or "file": the services write spans (to `trace_dir`)
    trace_dir: Path | None = None
    trace_sample: float = 1.0  # the share of the traced runs' dossiers traced
    brokers: int = 1
    store: StoreKind = "sqlite"
    replicas: Mapping[str, int] = field(default_factory=dict)


async def _bench(
    options: BenchOptions, system: System, maker: WorkloadMaker, log: Console
) -> dict[str, Any]:
    bootstrap, cluster, signer = system.bootstrap, system.cluster, system.signer
    assert cluster is not None  # the bench starts its own services
    await ensure_topics(bootstrap)
    work = await asyncio.to_thread(maker.workload, options.dossiers, "bench", START, signer)
    result: dict[str, Any] = {
        "population": {
            "size": options.population,
            **seed_report(cluster),
            "cluster_healthy_seconds": round(system.healthy_seconds, 1),
        }
    }
    throughput, watcher = await measure_throughput(
        system, cluster, work, options.settle_timeout_s, log
    )
    scan = throughput.pop("_scan")
    result["throughput"] = throughput
    log.print(
        f"settled {throughput['settled']:,} at {throughput['dossiers_per_second']:,}/s; "
        f"baseline with {scan.total:,} records..."
    )
    baseline = await run_baseline(bootstrap, scan.sizes)
    result["baseline"] = {
        "records": baseline.records,
        "bytes": baseline.bytes,
        "produce_seconds": round(baseline.produce_seconds, 2),
        "seconds": round(baseline.seconds, 2),
        "records_per_second": round(baseline.records_per_second, 1),
    }
    result["ratio_pipeline_to_baseline"] = round(
        throughput["pipeline_seconds"] / max(baseline.seconds, 1e-6), 2
    )
    rate = options.rate or max(1.0, throughput["dossiers_per_second"] / 2)
    count = max(1, int(rate * options.latency_seconds))
    log.print(f"latency run: {count:,} dossiers at {rate:,.0f}/s...")
    paced = await asyncio.to_thread(
        maker.workload, count, "bench-latency", work.next_start(), signer
    )
    result["latency_run"] = await measure_latency(
        bootstrap, watcher, paced, rate, options.settle_timeout_s
    )
    await watcher.stop()
    if options.tracing == "file" and options.trace_dir is not None:
        result["tracing"] = await measure_tracing_cost(
            lambda w: measure_throughput_only(system, cluster, w, options.settle_timeout_s, log),
            maker,
            options.dossiers,
            paced.next_start(),
            signer,
            options.trace_dir,
            log,
            options.trace_sample,
        )
    if options.http:
        log.print(f"the HTTP path: {options.http_dossiers:,} dossiers...")
        items = await asyncio.to_thread(
            maker.http_items, options.http_dossiers, "bench-http", paced.next_start()
        )
        http = await measure_http(
            system,
            items,
            options.http_concurrency,
            options.settle_timeout_s,
            metered_pids(system, cluster),
        )
        del items
        result["http"] = http
        result["http_to_injected"] = round(
            http["dossiers_per_second"] / max(throughput["dossiers_per_second"], 1e-6), 3
        )
    signing = await asyncio.to_thread(measure_signing, work.sample)
    result["signing"] = {"run_signed": options.signed, **signing}
    if options.restart_check:
        result["population"].update(await asyncio.to_thread(restart_population_db, cluster))
    result["memory"] = {
        "bench_peak_rss_mb": peak_rss_mb(),
        "workload_worker_peak_rss_mb": await asyncio.to_thread(maker.peak_rss_mb),
    }
    return result


def run_bench(options: BenchOptions, console: Console | None = None) -> dict[str, Any]:
    """Run the whole benchmark; the result as plain JSON-ready data."""
    log = console or Console()
    before = machine()
    settings = bench_settings(options.population)
    if options.tracing == "file":
        folder = options.trace_dir or Path(tempfile.mkdtemp(prefix="portalsim-bench-traces-"))
        options = replace(options, trace_dir=folder)
        settings = traced(settings, folder)
    plan = SystemPlan(
        bootstrap=options.bootstrap,
        settings=settings,
        signed=options.signed,
        start_timeout_s=900.0,
        logs_to=options.logs_to,
        purpose="bench",
        brokers=options.brokers,
        store=options.store,
        replicas=options.replicas,
    )
    log.print(
        f"starting the four services (population {options.population:,}) "
        "and building the workload..."
    )
    maker = WorkloadMaker(options.population, START)  # its population made meanwhile
    try:
        with running_system(plan) as system:
            result = asyncio.run(_bench(options, system, maker, log))
    finally:
        maker.close()
    after = machine()
    result["machine"] = {**before, "load_average_end": after["load_average"]}
    result["config"] = {
        "dossiers": options.dossiers,
        "population": options.population,
        "rate": options.rate,
        "latency_seconds": options.latency_seconds,
        "broker": options.bootstrap or "local (fresh, from the Maven jars)",
        "brokers": options.brokers,
        "store": options.store,
        "services": "separate processes, one each"
        + "".join(f", {name} x{n}" for name, n in sorted(options.replicas.items()) if n > 1),
        "signed": options.signed,
        "tracing": options.tracing,
        "trace_sample": options.trace_sample,
    }
    return result
