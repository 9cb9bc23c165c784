"""One replay from start to finish: a system, the recorder, the inputs, a bounded wait.

The system is fresh unless given: a local broker in a temporary folder (or `bootstrap`)
and the four services as processes with the scenario's settings (or `against`, the
URLs of a running deployment). The new run is recorded from the end offsets taken
before the first input; the recording stops once every replayed dossier has settled
and nothing new came for `quiet_s` seconds (bounded by `settle_timeout_s`). A fresh
system runs signed with new keys (or `keys`); the new log's header keeps their trust.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
from aiokafka.structs import ConsumerRecord
from rich.console import Console

from contracts.signing import Signer
from services.kit.topics_admin import ensure_topics
from simulator.drive.driver import PortalDriver
from simulator.eventlog import LogHeader, start_recording
from simulator.replay.inputs import Inputs
from simulator.replay.replayer import Pace, Replayer, ReplayStats
from simulator.run.play import broker_for
from simulator.scenarios.scenario import Scenario
from simulator.system.keys import ensure_keys, signer_from
from simulator.system.processes import ServiceCluster
from simulator.system.settings import service_settings
from simulator.system.tokens import RunCredentials

__all__ = ["ReplayResult", "ReplaySettings", "run_replay"]


@dataclass(frozen=True)
class ReplaySettings:
    """How to replay: pace, concurrency, waiting bounds, where the system is."""

    pace: Pace
    concurrency: int = 32
    settle_timeout_s: float = 600.0
    quiet_s: float = 2.0
    bootstrap: str | None = None
    against: dict[str, str] | None = None
    keys: Path | None = None


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
    bootstrap: str,
    urls: dict[str, str],
    tokens: RunCredentials,
    inputs: Inputs,
    out: Path,
    header: LogHeader,
    settings: ReplaySettings,
    console: Console,
    signer: Signer | None,
) -> ReplayResult:
    await ensure_topics(bootstrap)
    settled = _Settlements()
    recorder = await start_recording(bootstrap, out, header, from_end=True, observer=settled)
    started = time.monotonic()
    try:
        async with PortalDriver(urls, tokens) as driver:
            replayer = Replayer(
                driver, bootstrap, settings.pace, settings.concurrency, signer=signer
            )
            watcher = asyncio.create_task(_progress(replayer, settled, len(inputs.items), console))
            try:
                stats = await replayer.replay(inputs)
                inputs_s = time.monotonic() - started
                complete = await recorder.wait_quiet(
                    settings.quiet_s,
                    settings.settle_timeout_s,
                    ready=lambda: stats.dossier_ids <= settled.ids,
                )
            finally:
                watcher.cancel()
        wall_s = max(recorder.last_record_at, started) - started
    finally:
        await recorder.close()
    return ReplayResult(
        stats=stats,
        records=recorder.count,
        settled=len(stats.dossier_ids & settled.ids),
        complete=complete,
        inputs_s=inputs_s,
        wall_s=wall_s,
    )


@contextlib.contextmanager
def _services(
    scenario: Scenario | None,
    bootstrap: str,
    against: dict[str, str] | None,
    work_dir: Path,
    keys: Path | None,
) -> Iterator[tuple[dict[str, str], RunCredentials]]:
    """The services' URLs and the tokens to call them with (fresh ones for a fresh system)."""
    if against is not None:
        yield against, RunCredentials.from_env()
        return
    if scenario is None:
        raise ValueError("a fresh system needs the scenario (the log has none: --scenario FILE)")
    cluster = ServiceCluster(
        bootstrap,
        work_dir / "services",
        settings=service_settings(scenario, scenario.policies).by_name(),
        keys=keys,
    )
    cluster.start()
    try:
        yield cluster.urls, cluster.tokens
    finally:
        cluster.stop()


def run_replay(
    scenario: Scenario | None,
    inputs: Inputs,
    out: Path,
    header: LogHeader,
    settings: ReplaySettings,
    console: Console,
    logs_to: Path | None = None,
) -> ReplayResult:
    """Replay `inputs` into a fresh system (or the given one), recording to `out`."""
    if settings.against is not None and not settings.bootstrap:
        raise ValueError("--against needs --bootstrap: the replay records the deployment's Kafka")
    work_dir = Path(tempfile.mkdtemp(prefix="portalsim-replay-"))
    keys = settings.keys or (work_dir / "keys" if settings.against is None else None)
    signer = None
    if keys is not None:
        header = header.model_copy(update={"trust": dict(ensure_keys(keys).keys)})
        signer = signer_from(keys)
    elif inputs.count("injected"):
        console.print("[yellow]no --keys: injected dossiers are replayed unsigned[/yellow]")
    try:
        with broker_for(settings.bootstrap, console) as address:
            if settings.against is None:
                console.print("[dim]starting the four services...[/dim]")
            with _services(scenario, address, settings.against, work_dir, keys) as (urls, tokens):
                return asyncio.run(
                    _replay_into(
                        address, urls, tokens, inputs, out, header, settings, console, signer
                    )
                )
    finally:
        if logs_to is not None:
            logs_to.mkdir(parents=True, exist_ok=True)
            for log in work_dir.glob("services/*/*.log"):
                shutil.copy(log, logs_to / log.name)
        shutil.rmtree(work_dir, ignore_errors=True)
