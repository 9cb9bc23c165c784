"""`portalsim record --out LOG`: write every record of the system's topics to an event log.

Reads from the beginning of each topic (or from a wall-clock time) until Ctrl-C, until
the system has been quiet for `--quiet` seconds, or for at most `--max-seconds`.
`--trust FILE` keeps the system's public keys in the header, so the log can be verified.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from aiokafka.errors import KafkaError
from rich.console import Console

from contracts.signing import TrustStore
from contracts.topics import all_topic_names
from simulator.eventlog import Recorder, start_recording
from simulator.eventlog.scenarios import header_for
from simulator.scenarios.scenario import Scenario, ScenarioError, load_scenario, resolve_scenario

__all__ = ["record_command"]


@dataclass(frozen=True)
class Recording:
    """What one `portalsim record` reads, from where, and when it stops."""

    bootstrap: str
    out: Path
    topics: list[str]
    scenario: Scenario | None
    from_time: datetime | None
    quiet: float
    max_seconds: float | None
    trust: TrustStore | None


async def _record(plan: Recording, console: Console) -> Recorder:
    header = header_for(
        plan.scenario,
        plan.topics,
        origin="record",
        note={"bootstrap": plan.bootstrap},
        trust=plan.trust,
    )
    recorder = await start_recording(plan.bootstrap, plan.out, header, from_time=plan.from_time)
    missing = sorted(set(plan.topics) - set(recorder.recorded_topics))
    if missing:
        console.print(f"[yellow]not on the broker (not recorded): {', '.join(missing)}[/yellow]")
    try:
        bound = plan.max_seconds if plan.max_seconds is not None else float("inf")
        if plan.quiet > 0:
            await recorder.wait_quiet(plan.quiet, bound)
        elif plan.max_seconds is not None:
            await asyncio.sleep(plan.max_seconds)
        else:
            await asyncio.Event().wait()  # until Ctrl-C
    finally:
        await recorder.close()
    return recorder


def record_command(
    out: Annotated[Path, typer.Option("--out", help="The log to write (.gz: compressed).")],
    bootstrap: Annotated[
        str, typer.Option("--bootstrap", help="The Kafka to read (host:port).")
    ] = "127.0.0.1:9092",
    topics: Annotated[
        str | None,
        typer.Option("--topics", help="Comma-separated topics (default: every topic)."),
    ] = None,
    from_time: Annotated[
        datetime | None,
        typer.Option("--from", help="Start at this wall-clock time (default: the beginning)."),
    ] = None,
    scenario_name: Annotated[
        str | None,
        typer.Option("--scenario", help="The scenario the system plays (kept in the header)."),
    ] = None,
    quiet: Annotated[
        float,
        typer.Option("--quiet", help="Stop after this many seconds without a record; 0: never."),
    ] = 10.0,
    max_seconds: Annotated[
        float | None, typer.Option("--max-seconds", help="Stop after this long at most.")
    ] = None,
    trust_file: Annotated[
        Path | None,
        typer.Option("--trust", help="The system's trust.json, kept in the header."),
    ] = None,
) -> None:
    """Record every topic of the system into an event log (Ctrl-C stops it cleanly)."""
    console = Console()
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        scenario = load_scenario(resolve_scenario(scenario_name)) if scenario_name else None
        trust = TrustStore.from_file(trust_file) if trust_file else None
    except (ScenarioError, OSError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    names = [t.strip() for t in topics.split(",") if t.strip()] if topics else all_topic_names()
    if from_time is not None and from_time.tzinfo is None:
        from_time = from_time.astimezone()  # the local time zone of the machine
    console.print(f"recording {len(names)} topics of {bootstrap} to {out} (Ctrl-C stops)")
    started = time.monotonic()
    try:
        plan = Recording(bootstrap, out, names, scenario, from_time, quiet, max_seconds, trust)
        recorder = asyncio.run(_record(plan, console))
    except KafkaError as exc:
        console.print(f"[red]cannot read {bootstrap}: {exc}[/red]")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        console.print(f"stopped; the log is complete up to the interruption: {out}")
        return
    elapsed = time.monotonic() - started
    console.print(f"recorded {recorder.count:,} records in {elapsed:.1f} s to {out}")
