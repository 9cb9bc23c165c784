"""`portalsim diff LOG_A LOG_B`: compare two event logs' outcomes dossier by dossier.

Exit codes: 0 identical, 1 different, 2 a log cannot be read (the message names the
file, the line and what is wrong), 3 forged or unsigned records (left out of the outcomes;
each log is verified against `--trust FILE` or the trust in its header).
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
from simulator.eventlog.signatures import SignatureCheck, trust_for

__all__ = [
    "EXIT_FORGED",
    "TRUST_HELP",
    "default_diff_path",
    "diff_command",
    "read_outcomes",
    "report_diff",
    "report_skipped",
]

SKIP_BAD_HELP = "Skip bad lines (counted and reported) instead of stopping at the first."
TRUST_HELP = "Verify records against this trust.json (default: the trust in the log's header)."
#: Exit code when a log holds forged or unsigned records.
EXIT_FORGED = 3


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
    path: Path, skip_bad: bool, errors: Console, trust_file: Path | None = None
) -> tuple[dict[str, DossierOutcome], SignatureCheck]:
    """A log's outcomes per dossier from its verified records, and the signature check.

    `EventLogError` for a bad log (unless skipped) or an unusable trust.
    """
    reader = EventLogReader(path, skip_bad=skip_bad)
    check = SignatureCheck(trust_for(reader.header, trust_file, str(path)))
    outcomes = outcomes_from_records(check.verified(reader))
    report_skipped(reader, errors)
    for line in check.summary(str(path)):
        errors.print(f"[yellow]{line}[/yellow]" if check.forged else line, highlight=False)
    return outcomes, check


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
    trust_a: Path | None = None,
    trust_b: Path | None = None,
) -> LogDiff:
    """The diff of two logs' outcomes (optionally only of some root dossiers).

    Each log is verified against its trust file, or the trust in its header.
    """
    a, check_a = read_outcomes(log_a, skip_bad, errors, trust_a)
    b, check_b = read_outcomes(log_b, skip_bad, errors, trust_b)
    diff = diff_outcomes(a, b, a_name=str(log_a), b_name=str(log_b), roots=roots)
    diff.signatures = {str(log_a): check_a.as_json(), str(log_b): check_b.as_json()}
    return diff


def diff_command(
    log_a: Annotated[Path, typer.Argument(help="Event log A (e.g. the original run).")],
    log_b: Annotated[Path, typer.Argument(help="Event log B (e.g. its replay).")],
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Where the JSON diff goes (default: beside LOG_B)."),
    ] = None,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help=SKIP_BAD_HELP)] = False,
    limit: Annotated[int, typer.Option("--limit", help="Differences shown in detail.")] = 10,
    trust: Annotated[Path | None, typer.Option("--trust", help=TRUST_HELP)] = None,
) -> None:
    """Compare the outcomes per dossier of two event logs (exit 0 same, 1 different, 2 error,
    3 forged records).

    Compared: terminal state, settling portal, reason, result-document number, the
    sequence of status changes and the simulated working days taken. Event ids, wall
    times, offsets and dossier codes are not differences.
    """
    console, errors = Console(), Console(stderr=True)
    try:
        diff = compare_logs(
            log_a, log_b, skip_bad=skip_bad, errors=errors, trust_a=trust, trust_b=trust
        )
    except EventLogError as exc:
        errors.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    report_diff(diff, json_out or default_diff_path(log_b), console, limit)
    if diff.forged:
        errors.print(f"[red]forged[/red]: {diff.forged:,} forged or unsigned record(s)")
        raise typer.Exit(EXIT_FORGED)
    raise typer.Exit(0 if diff.identical else 1)
