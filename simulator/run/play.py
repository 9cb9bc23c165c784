"""`portalsim run`: the system up, the scenario played, every dossier waited for.

One run: the system of the plan (`running_system`: a broker, the four services as
processes unless `against` names a running deployment), a collector on every topic, the
scenario's policies set through the services' operations API and read back (the run
refuses to start when one cannot be applied: `simulator.run.operations`), the demand
handed in over HTTP, the faults injected (consumption paused and resumed through the same
API), a bounded wait until every dossier has settled, the services reset to their
defaults and read back again; the outcome goes to the report. The started services are supervised
(`simulator.system.supervisor`): one that dies is restarted, or the run ends early when
it cannot come back. Everything started is stopped, also on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.markup import escape

from services.kit.topics_admin import ensure_topics
from simulator.drive.clock import ClockPublisher
from simulator.drive.collector import EventCollector
from simulator.drive.driver import PortalDriver
from simulator.drive.faults import inject_faults
from simulator.drive.ingress import DESKS, Ingress
from simulator.drive.observations import Observations
from simulator.eventlog import Recorder, start_recording
from simulator.eventlog.scenarios import header_for
from simulator.run.operations import Operations, PoliciesNotAppliedError
from simulator.run.plan import RunOutcome, RunPlan
from simulator.run.progress import progress_bars, wait_settled, watch
from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.checks import warnings
from simulator.scenarios.demand import DemandItem, demand_fingerprint, generate_demand
from simulator.system.lifecycle import System, running_system
from simulator.system.supervisor import ServiceLostError, Supervisor
from simulator.traces.folder import client_tracing, reset_folder
from simulator.watch.session import watch_run

__all__ = ["run_scenario"]

#: Seconds a run still waits for settlements after a final clock sent at its settle timeout.
FINAL_GRACE_S = 30.0


@contextlib.asynccontextmanager
async def _supervising(
    plan: RunPlan, system: System, started: float, console: Console
) -> AsyncIterator[Supervisor | None]:
    """The supervisor of the services this run started (None against a deployment)."""
    if system.cluster is None:
        yield None
        return
    services = system.cluster.services.values()
    pids = ", ".join(f"{s.process_name} {s.pid}" for s in services)
    console.print(f"[dim]pids: {pids}, broker {system.broker_pid or 'not ours'}[/dim]")
    async with Supervisor(services, plan.restart, started=started, say=console.print) as watcher:
        yield watcher


async def _drive(
    plan: RunPlan,
    ops: Operations,
    demand: list[DemandItem],
    ingress: Ingress,
    console: Console,
    started: float,
    clock: ClockPublisher,
) -> bool:
    """Hand the demand in, inject the faults, wait for every dossier: False on a timeout.

    Once every ID-card application is taken (or the settle timeout passed) the final clock
    goes, so no card waits for a clock that will not come."""
    scenario, observations = plan.scenario, ingress.observations
    faults = (
        asyncio.create_task(inject_faults(scenario.faults, ops, started, observations))
        if scenario.faults
        else None
    )
    try:
        with progress_bars(console) as progress:
            watcher = asyncio.create_task(
                watch(progress, ingress, observations, len(demand), started)
            )
            try:
                await ingress.submit_all(demand)
                if demand:
                    end = demand[-1].simtime + timedelta(days=400)
                    await ingress.retrying(lambda: ingress.driver.close_desks(end), DESKS)
                waiting = time.monotonic()
                await clock.all_taken(scenario.settle_timeout_s)
                await clock.final()
                left = scenario.settle_timeout_s - (time.monotonic() - waiting)
                # the cards a late final clock released get some time to settle
                grace = min(FINAL_GRACE_S, scenario.settle_timeout_s)
                settled = await wait_settled(observations, max(left, grace))
                if faults is not None:
                    await faults
                await asyncio.sleep(0.6)
            finally:
                watcher.cancel()
    finally:
        if faults is not None and not faults.done():
            faults.cancel()
    return not settled


async def _play(
    plan: RunPlan, system: System, demand: list[DemandItem], console: Console
) -> RunOutcome:
    scenario = plan.scenario
    observations = Observations()
    await ensure_topics(system.bootstrap)
    collector = EventCollector(system.bootstrap, observations)
    await collector.start()
    started = time.monotonic()
    observations.wall_start_ms = int(time.time() * 1000)
    watching = await watch_run(plan, system, observations)
    timed_out, lost = False, None
    recorder: Recorder | None = None
    tracing = contextlib.ExitStack()
    ops = Operations(system.urls, system.tokens.official)
    read_back: dict[str, Any] = {}
    try:
        if plan.record_to is not None:
            header = header_for(
                scenario, collector.topics, origin="run", variant=plan.variant, trust=system.trust
            )
            recorder = await start_recording(
                system.bootstrap, plan.record_to, header, start_offsets=collector.start_offsets
            )
        read_back["during"] = await ops.apply(plan.wanted_policies())  # or refuse to start
        async with (
            PortalDriver(system.urls, system.tokens, connections=scenario.concurrency) as driver,
            _supervising(plan, system, started, console) as supervisor,
        ):
            ingress = Ingress(
                driver,
                observations,
                scenario.concurrency,
                availability=supervisor,
                holders=f"holder:{plan.variant.name}" if plan.variant else "holder",
            )
            ingress.tracing = tracing.enter_context(
                client_tracing(plan.traces_dir, plan.trace_sample)
            )
            clock = ClockPublisher(
                system.bootstrap, demand, ingress.answered, observations, system.signer
            )
            await clock.start()
            driving = _drive(plan, ops, demand, ingress, console, started, clock)
            try:
                timed_out = await (supervisor.guard(driving) if supervisor else driving)
            except ServiceLostError as exc:
                lost = exc
            finally:
                await clock.stop()
            record = supervisor.record if supervisor else None
        if lost is None:
            read_back["after"] = await ops.restore()
        if recorder is not None and lost is None:  # the last records (desk returns, changes)
            await recorder.wait_quiet(quiet_s=1.5, max_s=30.0)
        if lost is None:
            await watching.close()  # the services' final metrics, once quiet (docs/watching.md)
    finally:
        tracing.close()
        observations.wall_end_ms = int(time.time() * 1000)
        if "during" in read_back and "after" not in read_back and lost is None:
            with contextlib.suppress(PoliciesNotAppliedError):
                await ops.restore()  # a deployment is left with its defaults, also on Ctrl-C
        await ops.close()
        if recorder is not None:
            await recorder.close()
        await collector.stop()
    return RunOutcome(
        observations=observations,
        wall_seconds=time.monotonic() - started,
        demand=demand,
        fingerprint=demand_fingerprint(demand),
        timed_out=timed_out,
        supervision=record,
        ended_early=str(lost) if lost else None,
        read_back=read_back,
    )


def run_scenario(plan: RunPlan, console: Console | None = None) -> RunOutcome:
    """Play one scenario (or one of its variants) from start to finish.

    The services' state lives in a temporary folder, removed at the end; their logs are
    copied to `plan.logs_to` first (also after Ctrl-C).
    """
    console = console or Console()
    if plan.against is not None and not plan.bootstrap:
        raise ValueError("--against needs --bootstrap: the run observes the deployment's Kafka")
    if plan.keys is not None and plan.against is None:
        raise ValueError("--keys names a deployment's key folder: it goes with --against")
    if plan.against is not None and plan.keys is None:
        console.print(
            "[yellow]no --keys: the simulated clock goes unsigned (a signed deployment whose "
            "card line follows it refuses it)[/yellow]"
        )
    if plan.secure and plan.bootstrap:
        raise ValueError("--secure starts its own local broker: it cannot go with --bootstrap")
    scenario = plan.scenario
    pool = ApplicantPool(scenario.population_size, scenario.population_seed, scenario.start_date)
    variant = plan.variant.name if plan.variant else None  # its own client refs
    demand = generate_demand(scenario, pool, plan.policies, variant)  # its help cuts friction
    found = warnings(scenario, demand, plan.variant)
    for finding in found:
        console.print(f"[yellow]warning[/yellow] {escape(str(finding))}")
    desks = (item.unit_code for item in demand if item.channel == "desk")
    reset_folder(plan.traces_dir, plan.trace_sample)
    with running_system(plan.system_plan(desks), console) as system:
        outcome = asyncio.run(_play(plan, system, demand, console))
    outcome.warnings = found
    return outcome
