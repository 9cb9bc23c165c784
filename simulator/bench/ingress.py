"""The HTTP path, measured beside the injected one: citizens' accounts and dossiers posted
to the city portal, and their settlements.

The same path citizens take (`POST /accounts`, answered at once while the identity check
runs, then `POST /dossiers`, held until it is answered), thousands of applicants in
flight with the simulator's own driver. Its rate is dossiers settled per second, from the
first request to the last settlement: the figure the injected path's rate is. The CPU of
every process (services, broker, this one) from the first request until the last
settlement, per dossier, says where the difference between the two paths goes.
"""

from __future__ import annotations

import time
from typing import Any

from simulator.bench.injected import cpu_ms_per_dossier
from simulator.bench.measure import ProcessMeter
from simulator.bench.watch import SettlementWatcher, end_offsets
from simulator.drive.driver import PortalDriver
from simulator.drive.ingress import Ingress
from simulator.drive.observations import Observations
from simulator.scenarios.demand import DemandItem
from simulator.system.lifecycle import System

__all__ = ["measure_http"]


async def measure_http(
    system: System,
    items: list[DemandItem],
    concurrency: int,
    timeout_s: float,
    pids: dict[str, int],
) -> dict[str, Any]:
    """Post the items (and their holders' accounts); how fast they went in and settled, and
    the CPU of the processes `pids` names meanwhile."""
    watcher = SettlementWatcher(system.bootstrap, keep_all=True)
    await watcher.start(await end_offsets(system.bootstrap))
    observations = Observations()
    meter = ProcessMeter(pids)
    meter.begin()
    try:
        async with PortalDriver(system.urls, system.tokens, connections=concurrency) as driver:
            ingress = Ingress(driver, observations, concurrency)
            started_ms = time.time() * 1000
            started = time.perf_counter()
            await ingress.submit_all(items)
            posting_s = time.perf_counter() - started
        ids = list(observations.accepted)
        all_settled = await watcher.wait(ids, timeout_s)
    finally:
        resources = await meter.finish()
        await watcher.stop()
    settled = watcher.count(ids)
    last_ms = max((watcher.settled[d].timestamp_ms for d in ids if d in watcher.settled), default=0)
    settle_s = max(last_ms - started_ms, 1.0) / 1000
    accounts = len(ingress.accounts)
    requests = accounts + ingress.handed_in
    return {
        "dossiers": len(items),
        "accepted": len(ids),
        "settled": settled,
        "timed_out": not all_settled,
        "accounts_opened": accounts,
        "requests": requests,
        "concurrency": concurrency,
        "posting_seconds": round(posting_s, 2),
        "requests_per_second": round(requests / posting_s, 1) if posting_s else 0.0,
        "accepted_per_second": round(len(ids) / posting_s, 1) if posting_s else 0.0,
        "seconds_to_last_settlement": round(settle_s, 2),
        "dossiers_per_second": round(settled / settle_s, 1),
        "refused": dict(observations.refused),
        "cpu_seconds": {name: figures["cpu_seconds"] for name, figures in resources.items()},
        "cpu_ms_per_dossier": cpu_ms_per_dossier(resources, settled),
    }
