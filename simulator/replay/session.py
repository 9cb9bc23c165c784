"""One replay from start to finish: a system, the recorder, the inputs, a bounded wait.

The system (`running_system`) is fresh unless given: a local broker (or `bootstrap`) and
the four services as processes with the scenario's settings (or `against`, the URLs of a
running deployment). The new run is recorded from the end offsets taken before the
first input; the recording stops once every replayed dossier has settled and nothing
new came for `quiet_s` seconds (bounded by `settle_timeout_s`). A fresh system runs
signed with new keys (or `keys`); the new log's header keeps their trust.

Policies go as `simulator.replay.policies` says: a fresh system starts with every
run-time policy at its default, the scenario's are set before the first input, each
recorded `service.policy.changed` is done again at its point of the stream (a barrier
between the inputs before and after it), and every service is reset at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson
from aiokafka.structs import ConsumerRecord
from rich.console import Console

from services.kit.topics_admin import ensure_topics
from simulator.drive.driver import PortalDriver
from simulator.eventlog import LogHeader, start_recording
from simulator.replay.inputs import Inputs
from simulator.replay.policies import ReplayedPolicies, replay_policies
from simulator.replay.replayer import Pace, Replayer, ReplayStats
from simulator.scenarios.scenario import Scenario
from simulator.system.lifecycle import System, SystemPlan, running_system
from simulator.system.settings import startup_settings

__all__ = ["ReplayPlan", "ReplayResult", "run_replay"]


@dataclass(frozen=True)
class ReplayPlan:
    """One replay: the inputs, the new log and its header, the pace, the waiting bounds and
    the system replayed into (see `SystemPlan`: a fresh one needs the `scenario`).
    `logged`: the log's own scenario (its policies are the recorded run's)."""

    inputs: Inputs
    out: Path
    header: LogHeader
    pace: Pace
    scenario: Scenario | None = None
    concurrency: int = 32
    settle_timeout_s: float = 600.0
    quiet_s: float = 2.0
    bootstrap: str | None = None
    brokers: int = 1
    against: Mapping[str, str] | None = None
    keys: Path | None = None
    logged: Scenario | None = None

    def system_plan(self) -> SystemPlan:
        """The system replayed into: the deployment, or fresh under the scenario's policies."""
        if self.against is not None:
            return SystemPlan(
                bootstrap=self.bootstrap, against=self.against, keys=self.keys, purpose="replay"
            )
        if self.scenario is None:
            raise ValueError(
                "a fresh system needs the scenario (the log has none: --scenario FILE)"
            )
        return SystemPlan(
            bootstrap=self.bootstrap,
            brokers=self.brokers,
            # policies: through the operations API; the card line follows the replayed clock
            settings=startup_settings(self.scenario, clocked=self.inputs.count("clock") > 0),
            keys=self.keys,
            purpose="replay",
        )


@dataclass
class ReplayResult:
    """What one replay did and how fast."""

    stats: ReplayStats
    records: int
    settled: int
    complete: bool
    inputs_s: float
    wall_s: float

    @property
    def records_per_s(self) -> float:
        """Records of the new run per wall second (first input to quiet)."""
        return self.records / max(self.wall_s, 1e-6)

    @property
    def inputs_per_s(self) -> float:
        """Inputs handed in per wall second."""
        return self.stats.total / max(self.inputs_s, 1e-6)


class _Settlements:
    """Follows `dossier.settled` while recording."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def __call__(self, record: ConsumerRecord[bytes, bytes]) -> None:
        if record.topic != "dossier.settled":
            return
        with contextlib.suppress(orjson.JSONDecodeError, KeyError, TypeError):
            self.ids.add(orjson.loads(record.value or b"")["data"]["dossier_id"])


async def _progress(
    replayer: Replayer, settled: _Settlements, total: int, console: Console
) -> None:
    started = time.monotonic()
    while True:
        await asyncio.sleep(5.0)
        elapsed = time.monotonic() - started
        console.print(
            f"[dim]{elapsed:5.0f} s: handed in {replayer.stats.total:,}/{total:,}, "
            f"settled {len(settled.ids & replayer.stats.dossier_ids):,}[/dim]"
        )


async def _replay_into(
    plan: ReplayPlan, system: System, header: LogHeader, console: Console
) -> ReplayResult:
    bootstrap = system.bootstrap
    await ensure_topics(bootstrap)
    settled = _Settlements()
    recorder = await start_recording(bootstrap, plan.out, header, from_end=True, observer=settled)
    started = time.monotonic()
    wanted, own = replay_policies(plan.scenario, plan.logged)
    policies = ReplayedPolicies(
        system.urls, system.tokens.official, wanted, own, plan.inputs.count("policy")
    )
    try:
        await policies.start()  # or the replay does not start
        async with PortalDriver(system.urls, system.tokens) as driver:
            replayer = Replayer(
                driver,
                bootstrap,
                plan.pace,
                plan.concurrency,
                signer=system.signer,
                changes=policies.redo,
            )
            total = len(plan.inputs.items)
            watcher = asyncio.create_task(_progress(replayer, settled, total, console))
            try:
                stats = await replayer.replay(plan.inputs)
                inputs_s = time.monotonic() - started
                complete = await recorder.wait_quiet(
                    plan.quiet_s,
                    plan.settle_timeout_s,
                    ready=lambda: stats.dossier_ids <= settled.ids,
                )
            finally:
                watcher.cancel()
        wall_s = max(recorder.last_record_at, started) - started
        if policies.operated:
            await policies.restore()  # every service back to its defaults, as after a run
            await recorder.wait_quiet(quiet_s=1.0, max_s=30.0)
    finally:
        await policies.close()
        await recorder.close()
    return ReplayResult(
        stats=stats,
        records=recorder.count,
        settled=len(stats.dossier_ids & settled.ids),
        complete=complete,
        inputs_s=inputs_s,
        wall_s=wall_s,
    )


def run_replay(plan: ReplayPlan, console: Console) -> ReplayResult:
    """Replay the plan's inputs into a fresh system (or the given one), recording them."""
    if plan.against is not None and not plan.bootstrap:
        raise ValueError("--against needs --bootstrap: the replay records the deployment's Kafka")
    system_plan = plan.system_plan()
    if plan.keys is None and plan.against is not None and plan.inputs.count("injected"):
        console.print("[yellow]no --keys: injected dossiers are replayed unsigned[/yellow]")
    with running_system(system_plan, console) as system:
        header = plan.header
        if system.trust is not None:
            header = header.model_copy(update={"trust": dict(system.trust.keys)})
        return asyncio.run(_replay_into(plan, system, header, console))
