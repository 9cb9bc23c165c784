"""The end of a run as the services' metrics tell it: the figures of each, and a quiet wait.

A run's last events are still being consumed when its last dossier settles (settlements
reach population_db and one_stop, status changes the city portal). `quiet_metrics`
scrapes every service until nothing moves: no consumer lag, an empty outbox, and the same
counts (and the same number of events seen by the run's collector) twice in a row.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping

import httpx

from simulator.drive.observations import Observations
from simulator.watch.scrape import MetricsText, scrape_all

__all__ = ["quiet_metrics", "service_figures"]

FIGURES = {
    "consumed": "portalsim_records_consumed_total",
    "produced": "portalsim_records_produced_total",
    "deadlettered": "portalsim_records_deadlettered_total",
    "lag": "portalsim_consumer_lag",
    "outbox_depth": "portalsim_outbox_depth",
}


def service_figures(
    scraped: Mapping[str, MetricsText], expected: Iterable[str] = ()
) -> dict[str, dict[str, float]]:
    """What the live page shows of each service: its figures (`up` 1), or `up` 0 for an
    expected service that did not answer (stopped by a fault, say)."""
    figures = {service: {"up": 0.0} for service in expected}
    for service, metrics in scraped.items():
        figures[service] = {"up": 1.0} | {f: metrics.total(name) for f, name in FIGURES.items()}
    return dict(sorted(figures.items()))


async def quiet_metrics(
    client: httpx.AsyncClient,
    urls: Mapping[str, str],
    observations: Observations,
    timeout_s: float = 20.0,
    interval_s: float = 0.3,
) -> dict[str, MetricsText]:
    """Every service's metrics once the system is quiet (or as they are after `timeout_s`)."""
    deadline = time.monotonic() + timeout_s
    previous: object = None
    scraped: dict[str, MetricsText] = {}
    while True:
        scraped = await scrape_all(client, urls)
        figures = service_figures(scraped)
        idle = all(f["lag"] == 0 and f["outbox_depth"] == 0 for f in figures.values())  # answered
        state = (figures, sum(observations.events_per_topic.values()))
        if (idle and state == previous) or time.monotonic() > deadline:
            return scraped
        previous = state
        await asyncio.sleep(interval_s)
