"""The injected path measured: dossiers put straight on Kafka, watched until settled.

Throughput: N dossiers injected at once and watched until every one has settled and
every consumer group has caught up; the records of that run counted by topic and size,
the CPU of the services, the broker and the bench process per dossier, the consumer lag.
Latency: dossiers injected at a fixed rate, each one's time from submission to its
settlement, by path.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from rich.console import Console

from simulator.bench.lag import LagSampler
from simulator.bench.measure import ProcessMeter
from simulator.bench.paced import inject
from simulator.bench.stats import latencies_by_path, size_summary, summarise_latencies
from simulator.bench.watch import SettlementWatcher, end_offsets, scan_records
from simulator.bench.workload import Workload
from simulator.system.lifecycle import System
from simulator.system.processes import ServiceCluster
from simulator.system.settings import SERVICE_NAMES

__all__ = [
    "cpu_ms_per_dossier",
    "measure_latency",
    "measure_throughput",
    "measure_throughput_only",
    "metered_pids",
]


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


def cpu_ms_per_dossier(resources: dict[str, dict[str, Any]], dossiers: int) -> dict[str, float]:
    """CPU milliseconds a dossier: of the services, with the broker, of the bench process."""

    def per_dossier(names: tuple[str, ...]) -> float:
        return round(1000 * _cpu(resources, names) / max(dossiers, 1), 3)

    return {
        "services": per_dossier(SERVICE_NAMES),
        "with_kafka": per_dossier((*SERVICE_NAMES, "kafka")),
        "bench": per_dossier(("bench",)),
    }


def metered_pids(system: System, cluster: ServiceCluster) -> dict[str, int]:
    """The processes whose CPU a run is charged: services, broker nodes, this process."""
    pids = {name: s.process.pid for name, s in cluster.services.items() if s.process}
    for node, pid in enumerate(system.broker_pids or filter(None, [system.broker_pid]), 1):
        pids["kafka" if node == 1 else f"kafka-{node}"] = pid  # every node of a cluster
    pids["bench"] = os.getpid()  # this process: injecting or posting, watching, sampling lag
    return pids


async def measure_throughput(
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
    meter = ProcessMeter(metered_pids(system, cluster))
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
        "cpu_ms_per_dossier": cpu_ms_per_dossier(resources, len(ids)),
        "consumer_lag": {"max_per_group": max_lag, "max": max(max_lag.values(), default=0)},
    }
    result["_scan"] = scan
    return result, watcher


async def measure_latency(
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


async def measure_throughput_only(
    system: System, cluster: ServiceCluster, work: Workload, timeout_s: float, log: Console
) -> dict[str, Any]:
    result, watcher = await measure_throughput(system, cluster, work, timeout_s, log)
    await watcher.stop()
    return result
