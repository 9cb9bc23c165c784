"""Injecting a scenario's faults: a service's consumption paused and resumed at wall moments.

Through the service's operations API (`/ops/consumption/pause` and `/resume`), the same
for the services a run started and for a running deployment: the paused service takes
nothing from its topics, commits nothing, keeps its consumer group membership, and
handles everything waiting after the resume, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

import structlog

from simulator.drive.observations import FaultWindow, Observations
from simulator.scenarios.scenario import Fault

__all__ = ["Pausing", "inject_faults"]

log = structlog.get_logger("portalsim.faults")


class Pausing(Protocol):
    """What pauses and resumes a service's consumption (`simulator.run.operations`)."""

    async def pause(self, service: str) -> None: ...

    async def resume(self, service: str) -> None: ...


async def _inject(fault: Fault, ops: Pausing, started: float, observations: Observations) -> None:
    await asyncio.sleep(max(0.0, started + fault.stop_at_s - time.monotonic()))
    await ops.pause(fault.service)
    paused_at = time.monotonic() - started
    log.info("fault: consumption paused", service=fault.service, at_s=round(paused_at, 1))
    try:
        await asyncio.sleep(max(0.0, started + fault.restart_at_s - time.monotonic()))
    finally:
        await ops.resume(fault.service)  # also when the run is cancelled meanwhile
        resumed_at = time.monotonic() - started
        observations.faults.append(FaultWindow(fault.service, paused_at, resumed_at, "paused"))
    log.info("fault: consumption resumed", service=fault.service, at_s=round(resumed_at, 1))


async def inject_faults(
    faults: list[Fault], ops: Pausing, started: float, observations: Observations
) -> None:
    """Run every fault of the scenario at its moment (relative to `started`, monotonic)."""
    await asyncio.gather(*(_inject(f, ops, started, observations) for f in faults))
