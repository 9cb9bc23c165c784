"""`portalsim compare DIR_A DIR_B`: the differences between two runs' reports (what-if)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console

from simulator.report.compare import compare_summaries, comparison_table, write_comparison

__all__ = ["compare_command", "read_summary"]

REQUIRED_KEYS = ("scenario", "run", "counts", "procedures", "latency_per_path")


class SummaryError(ValueError):
    """A report folder without a usable summary.json."""


def read_summary(run_dir: Path) -> dict[str, Any]:
    """The summary.json of a report folder; `SummaryError` with a one-line reason."""
    path = run_dir / "summary.json"
    try:
        summary = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise SummaryError(f"{path}: cannot read: {exc.strerror}") from None
    except orjson.JSONDecodeError as exc:
        raise SummaryError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(summary, dict) or (missing := [k for k in REQUIRED_KEYS if k not in summary]):
        raise SummaryError(f"{path}: not a portalsim summary (missing {', '.join(missing)})")
    return summary


def compare_command(
    dir_a: Annotated[Path, typer.Argument(help="Report folder of run A (has summary.json).")],
    dir_b: Annotated[Path, typer.Argument(help="Report folder of run B (has summary.json).")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for compare.json and compare.md (default: DIR_B/compare_with_NAME_OF_A).",
        ),
    ] = None,
) -> None:
    """Print and write the differences between two runs, B minus A."""
    try:
        a, b = read_summary(dir_a), read_summary(dir_b)
        comparison = compare_summaries(a, b)
    except SummaryError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except (KeyError, TypeError) as exc:
        typer.echo(f"error: a summary.json lacks a figure the comparison needs: {exc}", err=True)
        raise typer.Exit(2) from None
    target = out or dir_b / f"compare_with_{dir_a.resolve().name}"
    paths = write_comparison(comparison, target)
    console = Console()
    console.print(comparison_table(comparison))
    console.print(f"wrote {paths['json']} and {paths['markdown']}")
