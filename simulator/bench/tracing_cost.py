"""What tracing costs the pipeline: untraced and traced workloads in one bench session.

With `--tracing file` the services write spans to a folder (`trace_dir`), and after the
main throughput run the same number of dossiers is injected four more times, untraced,
traced, traced, untraced (an ABBA order, so a drift over the session cancels out), each
measured as the main run is; "traced" is the dossiers sampled at `--trace-sample`
(default all). An untraced dossier costs the services nothing of tracing
but a check for the `traceparent` attribute; a traced one gets a span per handler,
exported from a bounded queue by a batching exporter to the folder's files.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from statistics import mean
from typing import Any

from rich.console import Console

from contracts.signing import Signer
from simulator.bench.workload import Workload, WorkloadMaker

__all__ = ["ORDER", "measure_tracing_cost", "spans_written"]

ORDER = (False, True, True, False)  # traced?

Measure = Callable[[Workload], Awaitable[dict[str, Any]]]


def spans_written(folder: Path) -> int:
    """The spans the services wrote to the folder (lines of its files)."""
    return sum(path.read_bytes().count(b"\n") for path in folder.glob("*.jsonl"))


async def measure_tracing_cost(
    measure: Measure,
    maker: WorkloadMaker,
    count: int,
    start: date,
    signer: Signer | None,
    folder: Path,
    log: Console,
    ratio: float = 1.0,
) -> dict[str, Any]:
    """Throughput of untraced and traced runs of `count` dossiers, and the cost of tracing."""
    runs: list[dict[str, Any]] = []
    for index, traced in enumerate(ORDER):
        name = f"bench-tracing-{index}"
        work = await asyncio.to_thread(
            maker.workload, count, name, start, signer, ratio if traced else 0.0
        )
        start = work.next_start()
        before = spans_written(folder)
        log.print(f"tracing {'on' if traced else 'off'}: {count:,} dossiers...")
        result = await measure(work)
        await asyncio.sleep(1.0)  # the exporters write what they queued (every 0.5 s)
        runs.append(
            {
                "traced": traced,
                "dossiers_per_second": result["dossiers_per_second"],
                "cpu_ms_per_dossier": result["cpu_ms_per_dossier"]["services"],
                "latency_p50_ms": result["latency_ms"]["all"]["p50_ms"],
                "spans_written": spans_written(folder) - before,
                "timed_out": result["timed_out"],
            }
        )
    on = [r for r in runs if r["traced"]]
    off = [r for r in runs if not r["traced"]]
    rate_on = mean(r["dossiers_per_second"] for r in on)
    rate_off = mean(r["dossiers_per_second"] for r in off)
    cpu_on = mean(r["cpu_ms_per_dossier"] for r in on)
    cpu_off = mean(r["cpu_ms_per_dossier"] for r in off)
    return {
        "order": ["on" if traced else "off" for traced in ORDER],
        "sample_ratio": ratio,
        "runs": runs,
        "dossiers_per_second": {"off": round(rate_off, 1), "on": round(rate_on, 1)},
        "throughput_cost": round(1 - rate_on / rate_off, 4) if rate_off else None,
        "cpu_ms_per_dossier": {"off": round(cpu_off, 3), "on": round(cpu_on, 3)},
        "cpu_cost": round(cpu_on / cpu_off - 1, 4) if cpu_off else None,
        "spans_per_dossier_on": round(sum(r["spans_written"] for r in on) / (2 * count), 2),
    }
