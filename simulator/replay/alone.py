"""A replay into one service alone: a fresh broker, that service only, its conversation.

The service runs on a fresh local broker; the other three are not started. Its policies
go as in every replay (`simulator.replay.policies`): it starts at its defaults, the
scenario's (overridden as asked) are set through its operations API, each of its recorded
`service.policy.changed` is done again at its point of the stream (`ChangePoints`; a
change it cannot apply stops the replay, naming it), and it is reset at the end. Its
HTTP inputs are handed in again over its HTTP API (`Replayer`, as the whole-system replay
does) while the `Feeder` hands it what it heard from the others, stubbing them with
their recorded answers. Everything on the bus is recorded from the start into a new log,
whose outputs of the service the output diff compares with the recorded ones.

Signatures: the recorded records keep their producers' signatures, so the service trusts
the log's keys (`--trust FILE`, else the header's), except its own: it signs with a new
key, which replaces the recorded one in its trust file and in the new log's header. A
log without any trust is replayed into an unsigned service.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import orjson
from aiokafka import TopicPartition
from rich.console import Console

from contracts.signing import TrustStore
from services.kit.topics_admin import ensure_topics
from simulator.drive.driver import PortalDriver
from simulator.eventlog import LogHeader, Recorder, start_recording
from simulator.replay.conversation import Conversation, FeedRecord
from simulator.replay.feeder import Feeder, FeedStats
from simulator.replay.policies import ChangePoints, ReplayedPolicies, replay_policies
from simulator.replay.replayer import Pace, Replayer, ReplayStats
from simulator.scenarios.scenario import Scenario
from simulator.system.keys import init_keys, trust_path
from simulator.system.lifecycle import System, SystemPlan, running_system
from simulator.system.settings import startup_settings, with_values

__all__ = ["AlonePlan", "AloneResult", "replay_alone"]

#: Where the driver points for a service that is not running: a closed local port.
NOT_RUNNING = "http://127.0.0.1:9"


@dataclass(frozen=True)
class AlonePlan:
    """One replay into `service` alone: its conversation, the new log, the settings."""

    service: str
    conversation: Conversation
    out: Path
    header: LogHeader
    scenario: Scenario
    trust: TrustStore | None
    logged: Scenario | None = None  # the log's own scenario (its policies: the recorded run's)
    concurrency: int = 32
    timeout_s: float = 600.0
    quiet_s: float = 1.0
    tick_ms: int = 100
    logs_to: Path | None = None


@dataclass
class AloneResult:
    """What the replay fed, what it handed in over HTTP, and how long it all took."""

    feed: FeedStats
    not_fed: list[FeedRecord]
    inputs: ReplayStats | None
    records: int
    complete: bool
    started_s: float
    replay_s: float


@contextlib.contextmanager
def _key_folder(plan: AlonePlan) -> Iterator[tuple[Path, dict[str, str] | None]]:
    """New keys, and a trust file of the log's keys with the service's own key replaced."""
    with tempfile.TemporaryDirectory(prefix=f"portalsim-keys-{plan.service}-") as folder:
        keys = Path(folder)
        own = init_keys(keys)[plan.service]
        trust = None
        if plan.trust is not None:
            trust = {**plan.trust.keys, plan.service: own}
            trust_path(keys).write_bytes(orjson.dumps(trust, option=orjson.OPT_INDENT_2))
        yield keys, trust


def _urls(system: System) -> Mapping[str, str]:
    names = ("city_portal", "population_db", "national_portal", "one_stop")
    return {name: system.urls.get(name, NOT_RUNNING) for name in names}


async def _progress(feeder: Feeder, total: int, console: Console) -> None:
    while True:
        await asyncio.sleep(5.0)
        stats = feeder.stats
        console.print(
            f"[dim]fed {stats.fed:,}/{total:,} records in {stats.groups:,} groups, "
            f"{stats.outputs_seen:,} outputs[/dim]"
        )


async def _replay(plan: AlonePlan, system: System, console: Console) -> AloneResult:
    started = time.monotonic()
    await ensure_topics(system.bootstrap)
    conversation = plan.conversation
    recorders: list[Recorder] = []

    async def read_to(ends: dict[TopicPartition, int]) -> bool:
        return await recorders[0].read_to(ends)

    wanted, own = replay_policies(plan.scenario, plan.logged)
    recorded = [item for item in conversation.inputs.items if item.kind == "policy"]
    policies = ReplayedPolicies(system.urls, system.tokens.official, wanted, own, len(recorded))
    changes = ChangePoints(recorded, policies.redo, conversation.outputs)
    feeder = Feeder(
        system.bootstrap,
        plan.service,
        conversation.feed,
        read_to,
        tick_ms=plan.tick_ms,
        quiet_s=plan.quiet_s,
        changes=changes,
    )
    recorder = await start_recording(
        system.bootstrap, plan.out, plan.header, observer=feeder.observe
    )
    recorders.append(recorder)
    inputs: asyncio.Task[ReplayStats] | None = None
    complete = True
    try:
        await policies.start()  # or the replay does not start
        await feeder.start()
        async with PortalDriver(_urls(system), system.tokens) as driver:
            if conversation.inputs.items:
                replayer = Replayer(
                    driver,
                    system.bootstrap,
                    Pace(None),
                    plan.concurrency,
                    changes=changes.reached,
                )
                inputs = asyncio.create_task(replayer.replay(conversation.inputs))
            watcher = asyncio.create_task(_progress(feeder, len(conversation.feed), console))
            try:
                await asyncio.wait_for(
                    feeder.run(lambda: inputs is None or inputs.done()), plan.timeout_s
                )
            except TimeoutError:
                complete = False
            finally:
                watcher.cancel()
            if inputs is not None and not inputs.done():
                inputs.cancel()
                complete = False
            stats = await inputs if inputs is not None and complete else None
        await policies.restore()  # back to its defaults, as after a run
        await recorder.wait_quiet(quiet_s=1.0, max_s=30.0)  # its reset in the new log
    finally:
        await policies.close()
        await feeder.stop()
        await recorder.close()
    return AloneResult(
        feed=feeder.stats,
        not_fed=feeder.held,
        inputs=stats,
        records=recorder.count,
        complete=complete,
        started_s=0.0,
        replay_s=time.monotonic() - started,
    )


def replay_alone(plan: AlonePlan, console: Console) -> AloneResult:
    """Replay the plan's conversation into its service alone, recording the new run."""
    settings = startup_settings(plan.scenario)  # policies: through the operations API
    clocked = any(r.record.topic == "simulated.clock.advanced" for r in plan.conversation.feed)
    settings = replace(
        settings,
        national_portal=with_values(settings.national_portal, card_line_follows_clock=clocked),
    )
    started = time.monotonic()
    with _key_folder(plan) as (keys, trust):
        system_plan = SystemPlan(
            settings=settings,
            keys=keys,
            signed=trust is not None,
            services=(plan.service,),
            purpose=f"replay-{plan.service}",
            logs_to=plan.logs_to,
        )
        header = plan.header.model_copy(update={"trust": trust})
        with running_system(system_plan, console) as system:
            ready_s = time.monotonic() - started
            result = asyncio.run(_replay(replace(plan, header=header), system, console))
    result.started_s = ready_s
    return result
