"""What a run's report quotes from its Prometheus: a few instant queries at the end.

The queries are asked once Prometheus has scraped the final figures (its records consumed
per service equal the services' own, bounded wait), and kept in `<out>/prometheus.json`;
`append_to_report` adds them to the run's report.md as a section.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.watch.prometheus import PrometheusError, PrometheusServer
from simulator.watch.scrape import MetricsText
from simulator.watch.scrape_config import service_of

__all__ = ["QUERIES", "append_to_report", "final_queries"]

#: (title, PromQL with {run}, the label the result is keyed by)
QUERIES = (
    (
        "Records consumed per service",
        'sum by (service) (portalsim_records_consumed_total{{run="{run}"}})',
        "service",
    ),
    (
        "Dossiers settled per portal (the services' own count, linked steps included)",
        'sum by (settled_by) (portalsim_dossiers_settled_total{{run="{run}"}})',
        "settled_by",
    ),
    (
        "Dead letters per service",
        'sum by (service) (portalsim_records_deadlettered_total{{run="{run}"}})',
        "service",
    ),
)


def _keyed(result: list[dict[str, Any]], label: str) -> dict[str, float]:
    return {
        str(row["metric"].get(label, "")): float(row["value"][1])
        for row in sorted(result, key=lambda r: str(r["metric"].get(label, "")))
    }


async def final_queries(
    prometheus: PrometheusServer,
    run: str,
    final: Mapping[str, MetricsText],
    timeout_s: float = 20.0,
) -> list[dict[str, Any]]:
    """The report's queries, once Prometheus holds the services' final figures."""
    consumed_query = QUERIES[0][1].format(run=run)
    expected: dict[str, float] = {}
    for name, metrics in final.items():  # replicas add up under their service
        total = metrics.total("portalsim_records_consumed_total")
        if total:
            expected[service_of(name)] = expected.get(service_of(name), 0.0) + total
    deadline = time.monotonic() + timeout_s
    caught_up = False
    while time.monotonic() < deadline:
        try:
            seen = _keyed(await asyncio.to_thread(prometheus.query, consumed_query), "service")
        except PrometheusError:
            seen = {}
        if seen == expected:
            caught_up = True
            break
        await asyncio.sleep(0.5)
    results = []
    for title, template, label in QUERIES:
        query = template.format(run=run)
        answer = await asyncio.to_thread(prometheus.query, query)
        result = _keyed(answer, label)
        results.append({"title": title, "query": query, "caught_up": caught_up, "result": result})
    return results


def append_to_report(report: Path, results: list[dict[str, Any]]) -> None:
    """Add the queries and their answers to a report.md (when it exists)."""
    if not report.exists() or not results:
        return
    lines = [
        "",
        "## Prometheus",
        "",
        "Asked of the run's Prometheus server (`portalsim run --prometheus`; its "
        "configuration and data are in `prometheus/`) at the end of the run.",
    ]
    for item in results:
        lines += ["", f"**{item['title']}**: `{item['query']}`", "", "| | value |", "|---|---:|"]
        rows = item["result"].items() or [("(none)", 0.0)]
        lines += [f"| {key} | {value:,.0f} |" for key, value in rows]
    with report.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
