"""Injecting a scenario's faults: services stopped and restarted at wall moments of the run."""

from __future__ import annotations

import asyncio
import time

import structlog

from simulator.drive.observations import FaultWindow, Observations
from simulator.scenarios.scenario import Fault
from simulator.system.processes import ServiceCluster

__all__ = ["inject_faults"]

log = structlog.get_logger("portalsim.faults")


async def _inject(
    fault: Fault, cluster: ServiceCluster, started: float, observations: Observations
) -> None:
    service = cluster[fault.service]
    await asyncio.sleep(max(0.0, started + fault.stop_at_s - time.monotonic()))
    stopped_at = time.monotonic() - started
    await asyncio.to_thread(service.stop)
    log.info("fault: service stopped", service=fault.service, at_s=round(stopped_at, 1))
    await asyncio.sleep(max(0.0, started + fault.restart_at_s - time.monotonic()))
    await asyncio.to_thread(service.start)
    restarted_at = time.monotonic() - started
    observations.faults.append(FaultWindow(fault.service, stopped_at, restarted_at))
    await asyncio.to_thread(service.wait_healthy)
    log.info("fault: service restarted", service=fault.service, at_s=round(restarted_at, 1))


async def inject_faults(
    faults: list[Fault], cluster: ServiceCluster, started: float, observations: Observations
) -> None:
    """Run every fault of the scenario at its moment (relative to `started`, monotonic)."""
    await asyncio.gather(*(_inject(f, cluster, started, observations) for f in faults))
