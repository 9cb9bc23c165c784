"""Printing an output diff: outputs by topic and procedure, then the first differences."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simulator.diff.outputs import OUTPUT_KINDS, OutputDiff, OutputDifference
from simulator.diff.render import procedure_label

__all__ = ["output_table", "print_output_diff"]


def output_table(diff: OutputDiff) -> Table:
    """Outputs by topic and procedure and kind, with a total row."""
    table = Table(
        title=f"{diff.service}'s outputs\nA = {diff.a} (recorded)\nB = {diff.b} (replayed)",
        title_justify="left",
    )
    table.add_column("topic", no_wrap=True)
    table.add_column("procedure", no_wrap=True, max_width=40, overflow="ellipsis")
    for kind in OUTPUT_KINDS:
        table.add_column(kind, justify="right")
    for (topic, procedure), counts in sorted(diff.counts.items()):
        style = "red" if any(counts.get(k, 0) for k in OUTPUT_KINDS[1:]) else None
        cells = [str(counts.get(kind, 0)) for kind in OUTPUT_KINDS]
        table.add_row(topic, escape(procedure_label(procedure)), *cells, style=style)
    totals = diff.totals()
    table.add_row("total", "", *(str(totals[kind]) for kind in OUTPUT_KINDS), style="bold")
    return table


def _short(value: Any) -> str:
    return "(none)" if value is None else str(value)


def _detail(item: OutputDifference) -> list[str]:
    head = f"{item.topic} key {item.key} cause {item.cause} ({procedure_label(item.procedure)})"
    if item.kind != "changed":
        where = "recorded only" if item.kind == "missing" else "replayed only"
        data = item.data or {}
        gist = ", ".join(
            f"{name}={data[name]}"
            for name in ("dossier_id", "status", "outcome", "reason_code", "result", "change")
            if name in data
        )
        return [f"{head}: {item.kind}, {where} ({gist})"]
    lines = [f"{head}:"]
    for name, (a, b) in item.fields.items():
        lines.append(f"    {name}: A {_short(a)}")
        lines.append(f"    {' ' * len(name)}  B {_short(b)}")
    return lines


def print_output_diff(diff: OutputDiff, console: Console, limit: int = 10) -> None:
    """The table, a one-line verdict and the first `limit` differences field by field."""
    console.print(output_table(diff))
    totals = diff.totals()
    if diff.by_place:
        console.print(
            f"{diff.by_place} outputs paired by place: their cause differed (two inputs raced)"
        )
    if diff.identical:
        console.print(f"[green]same[/green]: {diff.compared} outputs of {diff.service}")
        return
    console.print(
        f"[red]different[/red]: {len(diff.differences)} of {diff.compared} outputs "
        f"({totals['changed']} changed, {totals['missing']} missing, {totals['extra']} extra)"
    )
    shown = diff.differences[:limit]
    console.print(f"first {len(shown)} differences:")
    for item in shown:
        for line in _detail(item):
            console.print(escape(line), highlight=False)
