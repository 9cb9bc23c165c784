"""A run's progress on the console and its bounded wait until every dossier has settled."""

from __future__ import annotations

import asyncio
import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from simulator.drive.ingress import Ingress
from simulator.drive.observations import Observations

__all__ = ["progress_bars", "wait_settled", "watch"]

#: Seconds between two progress lines off a terminal.
LINE_EVERY_S = 2.0


def progress_bars(console: Console) -> Progress:
    """The bars of a run: dossiers submitted and settled."""
    return Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


async def watch(
    progress: Progress, ingress: Ingress, observations: Observations, total: int, started: float
) -> None:
    """Keep the bars current (every half second, until cancelled).

    Off a terminal (a log file, a pipe) the bars show only at the end: a plain line
    says where the run is every `LINE_EVERY_S` seconds instead.
    """
    submitted = progress.add_task("submitted", total=total, note="")
    settled = progress.add_task("settled", total=total, note="")
    last_line = started
    while True:
        done = sum(1 for d in observations.accepted if d in observations.settlements)
        now = time.monotonic()
        elapsed = max(now - started, 1e-6)
        if not progress.console.is_terminal and now - last_line >= LINE_EVERY_S:
            last_line = now
            progress.console.print(
                f"{elapsed:.0f} s: submitted {ingress.handed_in}/{total}, settled {done}, "
                f"in flight {len(observations.accepted) - done}",
                highlight=False,
            )
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


async def wait_settled(observations: Observations, timeout_s: float) -> bool:
    """True once no dossier is open; False when `timeout_s` passed first."""
    deadline = time.monotonic() + timeout_s
    while observations.open_dossiers():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.2)
    return True
