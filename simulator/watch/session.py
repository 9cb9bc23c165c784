"""Watching the runs of one `portalsim run` command: the live page, Prometheus, final metrics.

`RunWatch` lives as long as the command (`ctx.with_resource`): the simulator's web app
(live page, `/metrics`) and Prometheus are started on entry when asked for, and stopped on
exit, after holding the page until Ctrl-C with `--live-hold`. Each run of the command (the
scenario, then each variant) is watched by `watch_run`: its figures are published once
a second; at its end the services' final metrics go to `<out>/metrics/<service>.prom`
once the system is quiet, and with Prometheus a few queries over it to
`<out>/prometheus.json`, quoted in the run's report.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import typer
from rich.console import Console

from simulator.drive.observations import Observations
from simulator.system.lifecycle import System
from simulator.watch.prometheus import PrometheusError, PrometheusServer, prometheus_binary
from simulator.watch.queries import append_to_report, final_queries
from simulator.watch.quiet import quiet_metrics, service_figures
from simulator.watch.scrape import scrape_all
from simulator.watch.server import WatchServer
from simulator.watch.tally import LiveTally

if TYPE_CHECKING:
    from simulator.run.plan import RunPlan

__all__ = ["RunWatch", "RunWatching", "WatchOptions", "watch_run"]


@dataclass(frozen=True)
class WatchOptions:
    """What a command is watched with: a live page (`live_port`, 0: a free port), held
    after the last run (`hold`), and a Prometheus server (`prometheus`)."""

    live_port: int | None = None
    hold: bool = False
    prometheus: bool = False


class RunWatch:
    """The watching of one command's runs (a context manager)."""

    def __init__(self, options: WatchOptions, out: Path, console: Console | None = None) -> None:
        self.options = options
        self.out = out
        self.console = console or Console()
        wanted = options.live_port is not None or options.prometheus
        self.server = WatchServer(options.live_port or 0) if wanted else None
        self.prometheus = PrometheusServer(out / "prometheus") if options.prometheus else None
        self.queried: list[tuple[Path, list[dict[str, Any]]]] = []

    def __enter__(self) -> RunWatch:
        if self.prometheus is not None:
            try:
                prometheus_binary()
            except PrometheusError as exc:
                raise typer.BadParameter(str(exc), param_hint="--prometheus") from None
        if self.server is not None:
            self.server.start()
            if self.options.live_port is not None:
                self.console.print(f"live page: [bold]{self.server.url}[/bold]")
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        interrupted = kind is not None and issubclass(kind, KeyboardInterrupt)
        held = self.options.hold and self.options.live_port is not None
        try:
            if held and self.server is not None and not interrupted:
                self._hold()
        finally:
            if self.prometheus is not None:
                self.prometheus.stop()
            for report_folder, results in self.queried:
                append_to_report(report_folder / "report.md", results)
            if self.server is not None:
                self.server.stop()

    def _hold(self) -> None:
        assert self.server is not None
        self.console.print(f"the live page stays at {self.server.url}; Ctrl-C to stop")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(0.5)

    def targets(self, system: System) -> dict[str, str]:
        """What Prometheus scrapes in a run: the services and the simulator."""
        urls = dict(system.urls)
        if self.server is not None:
            urls["simulator"] = self.server.url
        return urls

    def point_prometheus(self, system: System, run: str) -> None:
        """Start Prometheus on the run's targets, or retarget it to this run's."""
        if self.prometheus is None:
            return
        if self.prometheus.process is None:
            self.prometheus.start(self.targets(system), run)
            self.console.print(f"prometheus: [bold]{self.prometheus.url}[/bold]")
        else:
            self.prometheus.retarget(self.targets(system), run)


class RunWatching:
    """One run being watched: a tick a second, then the final figures."""

    def __init__(
        self, plan: RunPlan, system: System, tally: LiveTally, watch: RunWatch | None
    ) -> None:
        self.plan = plan
        self.system = system
        self.tally = tally
        self.watch = watch
        self.client = httpx.AsyncClient()
        self.ticker: asyncio.Task[None] | None = None
        if watch is not None and watch.server is not None:
            self.ticker = asyncio.create_task(self._tick(watch.server))

    async def _tick(self, server: WatchServer) -> None:
        while True:
            scraped = await scrape_all(self.client, self.system.urls, timeout_s=0.9)
            server.publish(self.tally.snapshot(service_figures(scraped, self.system.urls)))
            await asyncio.sleep(1.0)

    async def close(self) -> None:
        """The run is over: wait until the system is quiet, keep its final figures."""
        if self.ticker is not None:
            self.ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.ticker
        try:
            final = await quiet_metrics(self.client, self.system.urls, self.tally.observations)
            folder = self.plan.out / "metrics"
            folder.mkdir(parents=True, exist_ok=True)
            for service, metrics in final.items():
                (folder / f"{service}.prom").write_text(metrics.text, encoding="utf-8")
            watch = self.watch
            if watch is not None and watch.server is not None:
                snapshot = self.tally.snapshot(service_figures(final))
                watch.server.publish(snapshot, finished=True)
            if watch is not None and watch.prometheus is not None:
                results = await final_queries(watch.prometheus, self.tally.label, final)
                (self.plan.out / "prometheus.json").write_bytes(
                    orjson.dumps(results, option=orjson.OPT_INDENT_2)
                )
                watch.queried.append((self.plan.out, results))
        finally:
            await self.client.aclose()


def run_label(plan: RunPlan) -> str:
    """The `run` label: the scenario's name, or `scenario/variant`."""
    name = plan.scenario.name
    return f"{name}/{plan.variant.name}" if plan.variant is not None else name


async def watch_run(plan: RunPlan, system: System, observations: Observations) -> RunWatching:
    """Watch one run (the command's watch is `plan.watch`; none: only its final metrics)."""
    watch: RunWatch | None = plan.watch
    tally = LiveTally(observations, list(plan.scenario.faults), run_label(plan))
    if watch is not None:
        await asyncio.to_thread(watch.point_prometheus, system, tally.label)
    return RunWatching(plan, system, tally, watch)
