"""Small statistics helpers of the report: nearest-rank percentiles, shares, subsampling.

Pure functions over plain lists; no numpy needed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TypeVar

__all__ = [
    "counter_dict",
    "downsample_max",
    "mean",
    "percentile",
    "share",
    "subsample",
]

T = TypeVar("T")


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank ``p``-th percentile (0 < p <= 100) of ``values``; None when empty.

    The smallest value such that at least ``p`` percent of the values are <= it.
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, or None when empty."""
    return sum(values) / len(values) if values else None


def share(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 4 places, or None when ``whole`` is 0."""
    return round(part / whole, 4) if whole else None


def subsample(values: Sequence[T], limit: int) -> list[T]:
    """At most ``limit`` items taken evenly from ``values`` (first and last kept)."""
    n = len(values)
    if n <= limit:
        return list(values)
    if limit <= 1:
        return list(values[:limit])
    return [values[round(i * (n - 1) / (limit - 1))] for i in range(limit)]


def downsample_max(points: Sequence[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
    """At most ``limit`` points of a step series, keeping the highest point of each stretch.

    Unlike :func:`subsample`, a peak is never dropped.
    """
    n = len(points)
    if n <= limit:
        return list(points)
    kept: list[tuple[str, int]] = []
    for i in range(limit):
        stretch = points[i * n // limit : (i + 1) * n // limit]
        if stretch:
            kept.append(max(stretch, key=lambda point: point[1]))
    return kept


def counter_dict(counts: Mapping[str, int]) -> dict[str, int]:
    """Counts as a plain dict, largest first, ties by key (a deterministic order)."""
    return dict(
        sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    )
