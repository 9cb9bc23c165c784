"""`portalsim diff LOG_A LOG_B`: compare two event logs' outcomes dossier by dossier.

Exit codes: 0 identical, 1 different, 2 a log cannot be read (the message names the
file, the line and what is wrong).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console

from simulator.diff import DossierOutcome, LogDiff, diff_outcomes, outcomes_from_records, print_diff
from simulator.eventlog import EventLogError, EventLogReader

__all__ = ["default_diff_path", "diff_command", "read_outcomes", "report_diff", "report_skipped"]

SKIP_BAD_HELP = "Skip bad lines (counted and reported) instead of stopping at the first."


def default_diff_path(log_b: Path) -> Path:
    """Beside LOG_B: `run.jsonl.gz` -> `run.diff.json`."""
    name = log_b.name
    for suffix in (".gz", ".jsonl", ".json", ".log"):
        name = name.removesuffix(suffix)
    return log_b.with_name(f"{name}.diff.json")


def report_skipped(reader: EventLogReader, console: Console) -> None:
    """Name each skipped line and each warning of a read log (on stderr)."""
    for error in reader.skipped[:20]:
        console.print(f"[yellow]skipped[/yellow] {error}", highlight=False)
    for warning in reader.warnings:
        console.print(f"[yellow]warning[/yellow] {warning}", highlight=False)
    if reader.skipped:
        console.print(
            f"[yellow]{reader.path}: skipped {len(reader.skipped)} bad line(s)[/yellow]",
            highlight=False,
        )


def read_outcomes(
    path: Path, skip_bad: bool, errors: Console
) -> tuple[dict[str, DossierOutcome], EventLogReader]:
    """A log's outcomes per dossier; `EventLogError` for a bad log (unless skipped)."""
    reader = EventLogReader(path, skip_bad=skip_bad)
    outcomes = outcomes_from_records(reader)
    report_skipped(reader, errors)
    return outcomes, reader


def report_diff(diff: LogDiff, json_path: Path, console: Console, limit: int = 10) -> None:
    """Print the diff and write its JSON."""
    print_diff(diff, console, limit)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_bytes(orjson.dumps(diff.as_json(), option=orjson.OPT_INDENT_2))
    console.print(f"diff: {json_path}", highlight=False)


def compare_logs(
    log_a: Path,
    log_b: Path,
    *,
    skip_bad: bool,
    errors: Console,
    roots: Iterable[str] | None = None,
) -> LogDiff:
    """The diff of two logs' outcomes (optionally only of some root dossiers)."""
    a, _ = read_outcomes(log_a, skip_bad, errors)
    b, _ = read_outcomes(log_b, skip_bad, errors)
    return diff_outcomes(a, b, a_name=str(log_a), b_name=str(log_b), roots=roots)


def diff_command(
    log_a: Annotated[Path, typer.Argument(help="Event log A (e.g. the original run).")],
    log_b: Annotated[Path, typer.Argument(help="Event log B (e.g. its replay).")],
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Where the JSON diff goes (default: beside LOG_B)."),
    ] = None,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help=SKIP_BAD_HELP)] = False,
    limit: Annotated[int, typer.Option("--limit", help="Differences shown in detail.")] = 10,
) -> None:
    """Compare the outcomes per dossier of two event logs (exit 0 same, 1 different, 2 error).

    Compared: terminal state, settling portal, reason, result-document number, the
    sequence of status changes and the simulated working days taken. Event ids, wall
    times, offsets and dossier codes are not differences.
    """
    console, errors = Console(), Console(stderr=True)
    try:
        diff = compare_logs(log_a, log_b, skip_bad=skip_bad, errors=errors)
    except EventLogError as exc:
        errors.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    report_diff(diff, json_out or default_diff_path(log_b), console, limit)
    raise typer.Exit(0 if diff.identical else 1)
