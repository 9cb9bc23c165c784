"""Ingress over HTTP, measured apart: accounts and dossiers posted to the city portal.

The same path citizens take (`POST /accounts`, which waits for the identity check of
the account holder, then `POST /dossiers`), at bounded concurrency, with the
simulator's own driver; requests per second and dossiers accepted per second.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from simulator.bench.workload import bench_demand
from simulator.drive.driver import PortalDriver
from simulator.drive.ingress import Ingress
from simulator.drive.observations import Observations
from simulator.scenarios.applicants import ApplicantPool
from simulator.system.lifecycle import System

__all__ = ["measure_http"]


async def measure_http(
    system: System, pool: ApplicantPool, count: int, concurrency: int, start: date
) -> dict[str, Any]:
    """Post `count` online dossiers (and their holders' accounts); how fast they went in."""
    items = bench_demand(count, pool, "bench-http", start)[:count]
    observations = Observations()
    async with PortalDriver(system.urls, system.tokens) as driver:
        ingress = Ingress(driver, observations, concurrency)
        started = time.perf_counter()
        await ingress.submit_all(items)
        seconds = time.perf_counter() - started
    accounts = len(ingress.accounts)
    requests = accounts + ingress.handed_in
    return {
        "dossiers": len(items),
        "accepted": len(observations.accepted),
        "accounts_opened": accounts,
        "requests": requests,
        "concurrency": concurrency,
        "seconds": round(seconds, 2),
        "requests_per_second": round(requests / seconds, 1) if seconds else 0.0,
        "dossiers_per_second": round(len(observations.accepted) / seconds, 1) if seconds else 0.0,
        "refused": dict(observations.refused),
    }
