"""The benchmark streams: workloads are read back a chunk at a time, sizes kept as counts."""

from __future__ import annotations

from collections import Counter
from datetime import date

from simulator.bench.stats import counted_percentile, percentile, size_summary
from simulator.bench.workload import CHUNK, WorkloadMaker

START = date(2026, 3, 2)


def test_a_workload_made_in_the_worker_streams_back_every_record_in_order() -> None:
    maker = WorkloadMaker(3_000, START)
    try:
        work = maker.workload(CHUNK + 7, "stream-test", START, None)  # two chunks
        keys = [(r.key or b"").decode() for r in work.records()]
        assert keys == work.dossier_ids and len(set(keys)) == CHUNK + 7
        assert work.sample and all(work.linked[d] for d in work.linked)
        assert maker.peak_rss_mb() > 0
    finally:
        maker.close()


def test_percentiles_from_counts_are_those_of_the_values() -> None:
    values = [1200, 1180, 1200, 990, 4100, 1200, 1180, 1300, 990, 1201]
    counts = Counter(values)
    for q in (1, 50, 95, 99, 100):
        assert counted_percentile(counts, q) == percentile([float(v) for v in values], q)
    summary = size_summary(counts)
    assert summary["max"] == 4100.0 and summary["mean"] == sum(values) / len(values)
