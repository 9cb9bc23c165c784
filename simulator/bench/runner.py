"""One benchmark: throughput of N injected dossiers, the raw-Kafka baseline, a paced latency run.

Order: broker and services up (the population seeded) while the workload is built;
N dossiers injected at once and watched until every one has settled and every consumer
group has caught up; the records of that run counted; the same number of records of the
same sizes through plain aiokafka; then dossiers injected at a fixed rate (half the
measured peak unless given) for their latency; then the HTTP path (citizens' accounts and
dossiers, thousands in flight, until settled) beside the injected one, with their ratio
(`--no-http`: not); finally
population_db restarted to show it answers from its file without reseeding. The run is
signed unless `signed=False` (`--unsigned`); the cost of signing and verifying one
envelope is measured in this process as well (`signing`). The workloads are made in a
worker process and streamed (`workload`); the bench process's own peak memory and the
worker's are in `memory`. With `tracing="file"` the services write spans, and tracing's
cost is measured in the same session (`tracing_cost.py`).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
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
from simulator.bench.lag import LagSampler
from simulator.bench.measure import ProcessMeter
from simulator.bench.paced import inject
from simulator.bench.population import bench_settings, restart_population_db, seed_report
from simulator.bench.signing import measure_signing
from simulator.bench.stats import latencies_by_path, size_summary, summarise_latencies
from simulator.bench.tracing_cost import measure_tracing_cost
from simulator.bench.watch import SettlementWatcher, end_offsets, scan_records
from simulator.bench.workload import Workload, WorkloadMaker
from simulator.scenarios.scenario import DEFAULT_CONCURRENCY
from simulator.system.lifecycle import System, SystemPlan, running_system
from simulator.system.processes import ServiceCluster
from simulator.system.settings import SERVICE_NAMES, traced
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


async def _drained(lag: LagSampler, timeout_s: float = 60.0) -> float:
    """Wait until every consumer group has committed up to the end; the time it happened."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not any((await lag.sample()).values()):
            break
        await asyncio.sleep(0.1)
    return time.time()


def _cpu(resources: dict[str, dict[str, Any]], names: tuple[str, ...]) -> float:
    """CPU seconds of the named processes and of their replicas (`national_portal-2`)."""
    return float(
        sum(
            r["cpu_seconds"]
            for n, r in resources.items()
            if n in names or n.rpartition("-")[0] in names
        )
    )


async def _throughput(
    system: System, cluster: ServiceCluster, work: Workload, timeout_s: float, log: Console
) -> tuple[dict[str, Any], SettlementWatcher]:
    bootstrap = system.bootstrap
    before = await end_offsets(bootstrap)
    watcher = SettlementWatcher(bootstrap)
    await watcher.start(before)
    ids = work.dossier_ids
    watcher.expect(ids)
    lag = LagSampler(bootstrap)
    await lag.start()
    pids = {name: s.process.pid for name, s in cluster.services.items() if s.process}
    for node, pid in enumerate(system.broker_pids or filter(None, [system.broker_pid]), 1):
        pids["kafka" if node == 1 else f"kafka-{node}"] = pid  # every node of a cluster
    pids["bench"] = os.getpid()  # this process: injecting, watching, sampling lag
    meter = ProcessMeter(pids)
    meter.begin()
    log.print(f"injecting {len(ids):,} dossiers...")
    injected = await inject(bootstrap, work.records(), index=watcher.index)
    all_settled = await watcher.wait(ids, timeout_s)
    last_ms = max((watcher.settled[d].timestamp_ms for d in ids if d in watcher.settled), default=0)
    drained_at = await _drained(lag)
    resources = await meter.finish()
    max_lag = await lag.stop()
    scan = await scan_records(bootstrap, before, await end_offsets(bootstrap))
    settle_s = max(last_ms - injected.started_ms, 1) / 1000
    pipeline_s = max(drained_at - injected.started_ms / 1000, settle_s)
    outcomes: dict[str, int] = {}
    for d in ids:
        if d in watcher.settled:
            outcomes[watcher.settled[d].outcome] = outcomes.get(watcher.settled[d].outcome, 0) + 1
    latencies = latencies_by_path(ids, injected.submitted_ms, watcher.settled, work.linked)
    result = {
        "dossiers": len(ids),
        "settled": watcher.count(ids),
        "timed_out": not all_settled,
        "outcomes": outcomes,
        "duplicate_settlements": watcher.duplicates,
        "inject_seconds": round(injected.seconds, 2),
        "seconds_to_last_settlement": round(settle_s, 2),
        "dossiers_per_second": round(watcher.count(ids) / settle_s, 1),
        "pipeline_seconds": round(pipeline_s, 2),
        "events": scan.total,
        "events_per_second": round(scan.total / pipeline_s, 1),
        "events_per_topic": dict(sorted(scan.per_topic.items())),
        "events_per_dossier": round(scan.total / max(len(ids), 1), 2),
        "bytes": scan.bytes_total,
        "value_size_bytes": size_summary(scan.value_sizes),
        "latency_ms": summarise_latencies(latencies),
        "resources": resources,
        "cpu_ms_per_dossier": {
            "services": round(1000 * _cpu(resources, SERVICE_NAMES) / max(len(ids), 1), 3),
            "with_kafka": round(
                1000 * _cpu(resources, (*SERVICE_NAMES, "kafka")) / max(len(ids), 1), 3
            ),
        },
        "consumer_lag": {"max_per_group": max_lag, "max": max(max_lag.values(), default=0)},
    }
    result["_scan"] = scan
    return result, watcher


async def _latency_run(
    bootstrap: str, watcher: SettlementWatcher, work: Workload, rate: float, timeout_s: float
) -> dict[str, Any]:
    ids = work.dossier_ids
    watcher.expect(ids)
    injected = await inject(bootstrap, work.records(), rate=rate, index=watcher.index)
    all_settled = await watcher.wait(ids, timeout_s)
    latencies = latencies_by_path(ids, injected.submitted_ms, watcher.settled, work.linked)
    summary = summarise_latencies(latencies)
    return {
        "rate_offered": round(rate, 1),
        "rate_achieved": round(injected.achieved_rate, 1),
        "dossiers": len(ids),
        "settled": watcher.count(ids),
        "timed_out": not all_settled,
        "latency_ms": summary,
        "p99_ms": summary["all"]["p99_ms"],
    }


async def _measured(
    system: System, cluster: ServiceCluster, work: Workload, timeout_s: float, log: Console
) -> dict[str, Any]:
    result, watcher = await _throughput(system, cluster, work, timeout_s, log)
    await watcher.stop()
    return result


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
    throughput, watcher = await _throughput(system, cluster, work, options.settle_timeout_s, log)
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
    result["latency_run"] = await _latency_run(
        bootstrap, watcher, paced, rate, options.settle_timeout_s
    )
    await watcher.stop()
    if options.tracing == "file" and options.trace_dir is not None:
        result["tracing"] = await measure_tracing_cost(
            lambda w: _measured(system, cluster, w, options.settle_timeout_s, log),
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
        http = await measure_http(system, items, options.http_concurrency, options.settle_timeout_s)
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
