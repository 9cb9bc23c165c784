"""Figures of a benchmark run: latency percentiles per path, rates, ratios."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from simulator.bench.dossier_table import Settled
from simulator.bench.workload import PATHS, path_of

__all__ = [
    "counted_percentile",
    "latencies_by_path",
    "percentile",
    "size_summary",
    "summarise_latencies",
]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return float(ordered[rank - 1])


def latencies_by_path(
    dossier_ids: Iterable[str],
    submitted_ms: Mapping[str, int],
    settled: Mapping[str, Settled],
    procedures: Mapping[str, str],
) -> dict[str, list[float]]:
    """Submission-to-settlement wall latency (ms) of each settled dossier, by path."""
    by_path: dict[str, list[float]] = {path: [] for path in PATHS}
    for dossier_id in dossier_ids:
        done = settled.get(dossier_id)
        start = submitted_ms.get(dossier_id)
        if done is None or start is None:
            continue
        path = path_of(procedures.get(dossier_id, ""), done.settled_by)
        by_path[path].append(float(done.timestamp_ms - start))
    return by_path


def summarise_latencies(by_path: Mapping[str, list[float]]) -> dict[str, dict[str, float]]:
    """count, p50, p95, p99 and max per path, and over all paths (`all`)."""
    every = [v for values in by_path.values() for v in values]
    summary: dict[str, dict[str, float]] = {}
    for name, values in [*by_path.items(), ("all", every)]:
        summary[name] = {
            "count": len(values),
            "p50_ms": round(percentile(values, 50), 1),
            "p95_ms": round(percentile(values, 95), 1),
            "p99_ms": round(percentile(values, 99), 1),
            "max_ms": round(max(values), 1) if values else 0.0,
        }
    return summary


def size_summary(counts: Mapping[int, int]) -> dict[str, float]:
    """Mean, median, p99 and max of record sizes in bytes, from how many had each size."""
    total = sum(counts.values())
    if not total:
        return {"mean": 0.0, "p50": 0.0, "p99": 0.0, "max": 0.0}
    return {
        "mean": round(sum(size * n for size, n in counts.items()) / total, 1),
        "p50": counted_percentile(counts, 50),
        "p99": counted_percentile(counts, 99),
        "max": float(max(counts)),
    }


def counted_percentile(counts: Mapping[int, int], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank of values given with their counts."""
    total = sum(counts.values())
    if not total:
        return 0.0
    rank, seen = max(1, math.ceil(q / 100 * total)), 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return float(value)
    return float(max(counts))
