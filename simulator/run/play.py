"""`portalsim run`: start what is needed, play the scenario, wait for every dossier, report.

One run: a broker (the local one unless given), the four services as processes (unless
`--against` names a running deployment), a collector on every topic, the demand handed
in over HTTP, the faults injected, a bounded wait until every dossier has settled, then
the report. Everything started is stopped, also on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from services.kit.topics_admin import ensure_topics
from simulator.drive.collector import EventCollector
from simulator.drive.driver import PortalDriver
from simulator.drive.faults import inject_faults
from simulator.drive.ingress import Ingress
from simulator.drive.observations import Observations
from simulator.eventlog import Recorder, start_recording
from simulator.eventlog.scenarios import header_for
from simulator.kafka_local import LocalKafka
from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.demand import DemandItem, demand_fingerprint, generate_demand
from simulator.scenarios.scenario import Scenario, Variant
from simulator.system.brokers import secure_local_broker
from simulator.system.processes import ServiceCluster
from simulator.system.settings import service_settings
from simulator.system.tokens import RunCredentials

__all__ = ["RunOutcome", "broker_for", "run_scenario"]


@dataclass
class RunOutcome:
    """What one run produced."""

    observations: Observations
    wall_seconds: float
    demand: list[DemandItem]
    fingerprint: str
    timed_out: bool
    extra: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def broker_for(bootstrap: str | None, console: Console) -> Iterator[str]:
    """The given broker, or a local one started in a temporary folder (stopped at exit)."""
    if bootstrap:
        yield bootstrap
        return
    data = Path(tempfile.mkdtemp(prefix="portalsim-kafka-"))
    broker = LocalKafka(data)
    console.print("[dim]starting the local Kafka broker...[/dim]")
    try:
        yield broker.start(timeout=180)
    finally:
        broker.stop()
        shutil.rmtree(data, ignore_errors=True)


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


async def _watch(
    progress: Progress, ingress: Ingress, observations: Observations, total: int, started: float
) -> None:
    submitted = progress.add_task("submitted", total=total, note="")
    settled = progress.add_task("settled", total=total, note="")
    while True:
        done = sum(1 for d in observations.accepted if d in observations.settlements)
        elapsed = max(time.monotonic() - started, 1e-6)
        progress.update(
            submitted, completed=ingress.handed_in, note=f"{ingress.handed_in / elapsed:,.0f}/s"
        )
        progress.update(
            settled,
            completed=done,
            total=max(len(observations.accepted), 1),
            note=f"{done / elapsed:,.0f}/s, in flight {len(observations.accepted) - done}",
        )
        await asyncio.sleep(0.5)


async def _wait_settled(observations: Observations, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while observations.open_dossiers():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.2)
    return True


async def _play(
    scenario: Scenario,
    variant: Variant | None,
    bootstrap: str,
    against: dict[str, str] | None,
    work_dir: Path,
    console: Console,
    record_to: Path | None = None,
    log_level: str = "WARNING",
    credentials: Path | None = None,
    tokens: RunCredentials | None = None,
) -> RunOutcome:
    observations = Observations()
    await ensure_topics(bootstrap)
    collector = EventCollector(bootstrap, observations)
    await collector.start()
    pool = ApplicantPool(scenario.population_size, scenario.population_seed, scenario.start_date)
    demand = generate_demand(scenario, pool)
    cluster = None
    tokens = tokens or RunCredentials.from_env()
    if against is None:
        settings = service_settings(scenario, scenario.policies_of(variant), log_level)
        tokens = RunCredentials.generate(i.unit_code for i in demand if i.channel == "desk")
        cluster = ServiceCluster(
            bootstrap,
            work_dir / "services",
            settings=settings.by_name(),
            credentials=credentials,
            tokens=tokens,
        )
        console.print("[dim]starting the four services...[/dim]")
        await asyncio.to_thread(cluster.start)
    urls = against or (cluster.urls if cluster else {})
    started = time.monotonic()
    observations.wall_start_ms = int(time.time() * 1000)
    timed_out = False
    recorder: Recorder | None = None
    try:
        if record_to is not None:
            header = header_for(
                scenario,
                collector.topics,
                origin="run",
                variant=variant,
                trust=cluster.trust if cluster else None,
            )
            recorder = await start_recording(
                bootstrap, record_to, header, start_offsets=collector.start_offsets
            )
        async with PortalDriver(urls, tokens) as driver:
            ingress = Ingress(driver, observations, scenario.concurrency)
            faults = (
                asyncio.create_task(inject_faults(scenario.faults, cluster, started, observations))
                if cluster and scenario.faults
                else None
            )
            with _progress(console) as progress:
                watcher = asyncio.create_task(
                    _watch(progress, ingress, observations, len(demand), started)
                )
                await ingress.submit_all(demand)
                if demand:
                    end = demand[-1].simtime + timedelta(days=400)
                    await ingress.retrying(lambda: driver.close_desks(end))
                timed_out = not await _wait_settled(observations, scenario.settle_timeout_s)
                if faults is not None:
                    await faults
                await asyncio.sleep(0.6)
                watcher.cancel()
            if recorder is not None:  # the last records (returns at desks, record changes)
                await recorder.wait_quiet(quiet_s=1.5, max_s=30.0)
    finally:
        observations.wall_end_ms = int(time.time() * 1000)
        if recorder is not None:
            await recorder.close()
        await collector.stop()
        if cluster is not None:
            await asyncio.to_thread(cluster.stop)
    return RunOutcome(
        observations=observations,
        wall_seconds=time.monotonic() - started,
        demand=demand,
        fingerprint=demand_fingerprint(demand),
        timed_out=timed_out,
    )


def run_scenario(
    scenario: Scenario,
    *,
    variant: Variant | None = None,
    bootstrap: str | None = None,
    against: dict[str, str] | None = None,
    console: Console | None = None,
    logs_to: Path | None = None,
    record_to: Path | None = None,
    log_level: str = "WARNING",
    secure: bool = False,
    tokens: RunCredentials | None = None,
) -> RunOutcome:
    """Play one scenario (or one of its variants) from start to finish.

    The services' state lives in a temporary folder, removed at the end; their logs
    are copied to `logs_to` first (also after Ctrl-C). With `record_to`, every record
    of the run is written there as an event log (docs/eventlog.md). The services log at
    `log_level`. With `secure`, the local broker enforces deploy/rights.yaml and everyone
    connects as its own principal.
    `tokens` are the deployment's HTTP tokens with `against` (default: from the
    environment); services the run starts get fresh ones.
    """
    console = console or Console()
    if against is not None and not bootstrap:
        raise ValueError("--against needs --bootstrap: the run observes the deployment's Kafka")
    if secure and bootstrap:
        raise ValueError("--secure starts its own local broker: it cannot go with --bootstrap")
    work_dir = Path(tempfile.mkdtemp(prefix="portalsim-run-"))
    try:
        with contextlib.ExitStack() as stack:
            credentials: Path | None = None
            if secure:
                address, credentials = stack.enter_context(secure_local_broker(console))
            else:
                address = stack.enter_context(broker_for(bootstrap, console))
            return asyncio.run(
                _play(
                    scenario,
                    variant,
                    address,
                    against,
                    work_dir,
                    console,
                    record_to,
                    log_level,
                    credentials,
                    tokens,
                )
            )
    finally:
        if logs_to is not None:
            logs_to.mkdir(parents=True, exist_ok=True)
            for log in work_dir.glob("services/*/*.log"):
                shutil.copy(log, logs_to / log.name)
        shutil.rmtree(work_dir, ignore_errors=True)
