"""`portalsim run`: the system up, the scenario played, every dossier waited for.

One run: the system of the plan (`running_system`: a broker, the four services as
processes unless `against` names a running deployment), a collector on every topic, the
demand handed in over HTTP, the faults injected, a bounded wait until every dossier has
settled; the outcome goes to the report. Everything started is stopped, also on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from rich.console import Console

from services.kit.topics_admin import ensure_topics
from simulator.drive.collector import EventCollector
from simulator.drive.driver import PortalDriver
from simulator.drive.faults import inject_faults
from simulator.drive.ingress import Ingress
from simulator.drive.observations import Observations
from simulator.eventlog import Recorder, start_recording
from simulator.eventlog.scenarios import header_for
from simulator.run.plan import RunOutcome, RunPlan
from simulator.run.progress import progress_bars, wait_settled, watch
from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.demand import DemandItem, demand_fingerprint, generate_demand
from simulator.system.lifecycle import System, running_system
from simulator.watch.session import watch_run

__all__ = ["run_scenario"]


async def _play(
    plan: RunPlan, system: System, demand: list[DemandItem], console: Console
) -> RunOutcome:
    scenario, cluster = plan.scenario, system.cluster
    observations = Observations()
    await ensure_topics(system.bootstrap)
    collector = EventCollector(system.bootstrap, observations)
    await collector.start()
    started = time.monotonic()
    observations.wall_start_ms = int(time.time() * 1000)
    watching = await watch_run(plan, system, observations)
    timed_out = False
    recorder: Recorder | None = None
    try:
        if plan.record_to is not None:
            header = header_for(
                scenario, collector.topics, origin="run", variant=plan.variant, trust=system.trust
            )
            recorder = await start_recording(
                system.bootstrap, plan.record_to, header, start_offsets=collector.start_offsets
            )
        async with PortalDriver(system.urls, system.tokens) as driver:
            ingress = Ingress(driver, observations, scenario.concurrency)
            faults = (
                asyncio.create_task(inject_faults(scenario.faults, cluster, started, observations))
                if cluster and scenario.faults
                else None
            )
            with progress_bars(console) as progress:
                watcher = asyncio.create_task(
                    watch(progress, ingress, observations, len(demand), started)
                )
                await ingress.submit_all(demand)
                if demand:
                    end = demand[-1].simtime + timedelta(days=400)
                    await ingress.retrying(lambda: driver.close_desks(end))
                timed_out = not await wait_settled(observations, scenario.settle_timeout_s)
                if faults is not None:
                    await faults
                await asyncio.sleep(0.6)
                watcher.cancel()
            if recorder is not None:  # the last records (returns at desks, record changes)
                await recorder.wait_quiet(quiet_s=1.5, max_s=30.0)
        await watching.close()  # the services' final metrics, once quiet (docs/watching.md)
    finally:
        observations.wall_end_ms = int(time.time() * 1000)
        if recorder is not None:
            await recorder.close()
        await collector.stop()
    return RunOutcome(
        observations=observations,
        wall_seconds=time.monotonic() - started,
        demand=demand,
        fingerprint=demand_fingerprint(demand),
        timed_out=timed_out,
    )


def run_scenario(plan: RunPlan, console: Console | None = None) -> RunOutcome:
    """Play one scenario (or one of its variants) from start to finish.

    The services' state lives in a temporary folder, removed at the end; their logs are
    copied to `plan.logs_to` first (also after Ctrl-C).
    """
    console = console or Console()
    if plan.against is not None and not plan.bootstrap:
        raise ValueError("--against needs --bootstrap: the run observes the deployment's Kafka")
    if plan.secure and plan.bootstrap:
        raise ValueError("--secure starts its own local broker: it cannot go with --bootstrap")
    scenario = plan.scenario
    pool = ApplicantPool(scenario.population_size, scenario.population_seed, scenario.start_date)
    demand = generate_demand(scenario, pool, plan.policies)  # a variant's help cuts friction
    desks = (item.unit_code for item in demand if item.channel == "desk")
    with running_system(plan.system_plan(desks), console) as system:
        return asyncio.run(_play(plan, system, demand, console))
