"""`portalsim trace DOSSIER_ID --run DIR`: one dossier's span tree, with durations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from simulator.traces.tree import find_trace, render_trace

__all__ = ["trace_command"]


def trace_command(
    dossier_id: Annotated[str, typer.Argument(help="The dossier's id (a linked step's too).")],
    run: Annotated[
        Path, typer.Option("--run", help="The run's report folder (its traces/ folder is read).")
    ],
) -> None:
    """Print a dossier's trace: each span's service, duration, start and queue wait."""
    console = Console(highlight=False)
    folder = run / "traces"
    if not folder.is_dir():
        console.print(f"[red]{escape(str(folder))}: no traces folder (not a run's folder?)[/red]")
        raise typer.Exit(2)
    trace = find_trace(folder, dossier_id)
    for line in render_trace(trace):
        typer.echo(line)
    if not trace.spans:
        raise typer.Exit(1)
