"""`portalsim contracts check LOG`: can today's code read every record of a log?

Every record is checked against today's contracts (`simulator.eventlog.compatibility`):
the versions seen per topic, and each record today's consumers would refuse (line,
topic, partition, offset, reason). Exit codes: 0 every record readable, 1 some are not,
2 a bad log (the message names the line).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simulator.eventlog import EventLogError, EventLogReader
from simulator.eventlog.compatibility import CompatibilityReport, check_records, current_type

__all__ = ["contracts_app"]

contracts_app = typer.Typer(
    help="Check event logs against today's contracts.", no_args_is_help=True
)


ENVELOPES = {1: "v1 unsigned", 2: "v2 signed", 3: "v3 batch-signed"}


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{name} ×{count:,}" for name, count in sorted(counter.items()))


def version_table(report: CompatibilityReport) -> Table:
    """Per topic: records, payload and envelope versions seen, unreadable records."""
    table = Table(title="versions seen per topic", title_justify="left")
    table.add_column("topic")
    table.add_column("records", justify="right")
    table.add_column("today", justify="right")
    table.add_column("payload versions")
    table.add_column("envelope")
    table.add_column("unreadable", justify="right")
    for name, versions in sorted(report.topics.items()):
        envelopes = {ENVELOPES.get(v, f"v{v}"): n for v, n in versions.envelopes.items()}
        prefix = f"vn.portalsim.{name}."
        types = {t.removeprefix(prefix): n for t, n in versions.types.items()}
        today = current_type(name)
        table.add_row(
            name,
            f"{versions.records:,}",
            today.removeprefix(prefix) if today else "(none)",
            escape(_counts(types)),
            _counts(envelopes),
            f"{versions.unreadable:,}",
            style="red" if versions.unreadable else None,
        )
    return table


@contracts_app.command("check")
def check_command(
    log: Annotated[Path, typer.Argument(help="The event log to check (.jsonl or .jsonl.gz).")],
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Write the report as JSON to this file (- for stdout)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Unreadable records shown.")] = 20,
) -> None:
    """Check every record of LOG against today's contracts (exit 0 all readable, 1 some
    unreadable, 2 bad log)."""
    to_stdout = json_out is not None and str(json_out) == "-"
    console, errors = Console(stderr=to_stdout), Console(stderr=True)
    try:
        report = check_records(EventLogReader(log, validate=False))
    except EventLogError as exc:
        errors.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    console.print(version_table(report))
    if report.deadletters:
        console.print(f"{report.deadletters:,} dead letters not checked (refused input as it came)")
    if report.readable:
        console.print(f"[green]readable[/green]: all {report.records:,} records of {log}")
    else:
        console.print(
            f"[red]unreadable[/red]: {len(report.unreadable):,} of {report.records:,} records "
            "cannot be read by today's code"
        )
        for item in report.unreadable[:limit]:
            console.print(escape(str(item)), highlight=False)
    if json_out is not None:
        document = {"log": str(log), **report.as_json()}
        text = orjson.dumps(document, option=orjson.OPT_INDENT_2)
        if to_stdout:
            sys.stdout.buffer.write(text + b"\n")
        else:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_bytes(text)
    raise typer.Exit(0 if report.readable else 1)
