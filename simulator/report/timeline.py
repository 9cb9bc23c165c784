"""Figures over time: the one-stop desks' digitisation backlog (simulated time) and the
system's throughput (wall time), with the fault windows of the run."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from itertools import groupby
from typing import Any

from contracts.units import district_by_code
from simulator.drive.observations import Observations
from simulator.report.stats import downsample_max

__all__ = ["SERIES_POINTS", "TOP_DISTRICTS", "desk_backlog", "district_of", "throughput"]

#: Points kept per time series for the plots.
SERIES_POINTS = 2000
#: Districts whose backlog series is kept for the plot.
TOP_DISTRICTS = 5


def district_of(unit_code: str) -> tuple[str, str]:
    """(district code, district name) of a district or commune unit code."""
    code = unit_code[:3]
    try:
        return code, district_by_code(code).name
    except KeyError:
        return code, code


def desk_backlog(observations: Observations) -> tuple[dict[str, Any], dict[str, Any]]:
    """Peak digitisation backlog overall and per district, and the series for the plot.

    Sweep the `desk.queue.changed` events in simulated-time order, keeping each unit's
    latest queue length; a district's backlog at a moment is the sum over its units.
    """
    events = sorted(
        enumerate(observations.desk_queue),
        key=lambda item: (datetime.fromisoformat(item[1][1]), item[0]),
    )
    latest: dict[str, int] = {}
    sums: dict[str, int] = defaultdict(int)
    peaks: dict[str, tuple[int, str]] = {}
    series: dict[str, list[tuple[str, int]]] = defaultdict(list)
    total, peak_total, peak_time = 0, 0, None
    total_series: list[tuple[str, int]] = []
    for moment, group in groupby(events, key=lambda item: datetime.fromisoformat(item[1][1])):
        stamp = moment.isoformat()
        touched = set()
        for _, (unit, _, length) in group:
            district = district_of(unit)[0]
            change = length - latest.get(unit, 0)
            latest[unit] = length
            sums[district] += change
            total += change
            touched.add(district)
        for district in sorted(touched):
            series[district].append((stamp, sums[district]))
            if district not in peaks or sums[district] > peaks[district][0]:
                peaks[district] = (sums[district], stamp)
        total_series.append((stamp, total))
        if peak_time is None or total > peak_total:
            peak_total, peak_time = total, stamp
    ranked = sorted(peaks, key=lambda d: (-peaks[d][0], d))
    districts = [
        {"code": d, "name": district_of(d)[1], "peak": peaks[d][0], "peak_simtime": peaks[d][1]}
        for d in ranked
    ]
    figures = {
        "events": len(events),
        "units": len(latest),
        "peak": {"total": peak_total, "simtime": peak_time},
        "final_total": total,
        "districts": districts,
    }
    plot = {
        "total": _columns(downsample_max(total_series, SERIES_POINTS)),
        "districts": {
            d: {"name": district_of(d)[1], **_columns(downsample_max(series[d], SERIES_POINTS))}
            for d in ranked[:TOP_DISTRICTS]
        },
    }
    return figures, plot


def _columns(points: list[tuple[str, int]]) -> dict[str, list[Any]]:
    return {"simtime": [p[0] for p in points], "backlog": [p[1] for p in points]}


def _bucket_counts(stamps: list[int], start_ms: int, buckets: int, bucket_s: int) -> list[int]:
    counts = [0] * buckets
    for stamp in stamps:
        index = int((stamp - start_ms) // (bucket_s * 1000))
        counts[min(max(index, 0), buckets - 1)] += 1
    return counts


def throughput(
    observations: Observations, settled_ms: list[int]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Root settlements and bus events per wall second, with the fault windows.

    ``settled_ms`` are the wall times of the roots' first settlements.
    """
    stamps = [*observations.event_wall_ms, *settled_ms]
    start = observations.wall_start_ms or (min(stamps) if stamps else 0)
    end = max([observations.wall_end_ms, *stamps]) if stamps else observations.wall_end_ms
    duration_s = max(0.0, (end - start) / 1000)
    seconds = max(1, math.ceil(duration_s)) if stamps else 0
    bucket_s = max(1, math.ceil(seconds / SERIES_POINTS))
    buckets = math.ceil(seconds / bucket_s)
    settled = _bucket_counts(settled_ms, start, buckets, bucket_s)
    events = _bucket_counts(observations.event_wall_ms, start, buckets, bucket_s)
    faults = [
        {"service": f.service, "kind": f.kind, "start_s": f.start_s, "end_s": f.end_s}
        for f in observations.faults
    ]
    in_fault = [
        any(f.start_s <= i * bucket_s < f.end_s for f in observations.faults)
        for i in range(buckets)
    ]
    figures = {
        "bucket_s": bucket_s,
        "duration_s": round(duration_s, 3),
        "settlements_per_s": _rates(settled, bucket_s, duration_s, in_fault),
        "events_per_s": _rates(events, bucket_s, duration_s, in_fault),
        "faults": faults,
    }
    plot = {
        "t_s": [i * bucket_s for i in range(buckets)],
        "settlements_per_s": [n / bucket_s for n in settled],
        "events_per_s": [n / bucket_s for n in events],
    }
    return figures, plot


def _rates(
    counts: list[int], bucket_s: int, duration_s: float, in_fault: list[bool]
) -> dict[str, Any]:
    during = [n for n, fault in zip(counts, in_fault, strict=True) if fault]
    outside = [n for n, fault in zip(counts, in_fault, strict=True) if not fault]
    return {
        "total": sum(counts),
        "peak": max(counts) / bucket_s if counts else 0.0,
        "mean": round(sum(counts) / duration_s, 3) if duration_s else 0.0,
        "mean_during_faults": round(sum(during) / (len(during) * bucket_s), 3) if during else None,
        "mean_outside_faults": (
            round(sum(outside) / (len(outside) * bucket_s), 3) if outside else None
        ),
    }
