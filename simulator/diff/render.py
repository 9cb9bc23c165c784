"""Printing a diff: a summary by procedure, then the first differences in detail."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from contracts.catalogue import load_catalogue
from simulator.diff.diff import KINDS, DossierDiff, LogDiff

__all__ = [
    "field_lines",
    "print_diff",
    "print_first",
    "procedure_label",
    "summary_table",
]

_HEADINGS = {
    "same": "same",
    "changed": "changed",
    "only_in_a": "only in A",
    "only_in_b": "only in B",
}


def procedure_label(code: str) -> str:
    """`#11 1.000894 Marriage registration` for a catalogue code; the code otherwise."""
    try:
        procedure = load_catalogue().by_code(code)
    except KeyError:
        return code
    return f"#{procedure.number} {code} {procedure.name_en}"


def _number(code: str) -> tuple[int, str]:
    try:
        return load_catalogue().by_code(code).number, code
    except KeyError:
        return 99, code


def summary_table(diff: LogDiff) -> Table:
    """Dossiers by procedure and kind, with a total row."""
    table = Table(title=f"A = {diff.a}\nB = {diff.b}", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("procedure", no_wrap=True, max_width=34, overflow="ellipsis")
    for kind in KINDS:
        table.add_column(_HEADINGS[kind], justify="right")
    for code in sorted(diff.by_procedure, key=_number):
        counts = diff.by_procedure[code]
        cells = [str(counts.get(kind, 0)) for kind in KINDS]
        style = "red" if any(counts.get(k, 0) for k in KINDS[1:]) else None
        number, _ = _number(code)
        name = escape(procedure_label(code).partition(" ")[2] if number != 99 else code)
        table.add_row(str(number) if number != 99 else "", name, *cells, style=style)
    totals = diff.totals()
    table.add_row("", "total", *(str(totals[kind]) for kind in KINDS), style="bold")
    return table


def _short(value: Any) -> str:
    if isinstance(value, list):
        return " → ".join(str(v) for v in value) or "(none)"
    return "(none)" if value is None else str(value)


def _detail(diff: DossierDiff) -> list[str]:
    step = f" (step of {diff.parent_dossier_id})" if diff.parent_dossier_id else ""
    head = f"{diff.dossier_id} {procedure_label(diff.procedure_code or '?')}{step}"
    if diff.kind != "changed":
        outcome = diff.outcome or {}
        where = "A" if diff.kind == "only_in_a" else "B"
        return [f"{head}: only in {where} ({_short(outcome.get('terminal'))})"]
    return [f"{head}:", *field_lines(diff.fields)]


def field_lines(fields: dict[str, tuple[Any, Any]]) -> list[str]:
    """Each changed field on two lines, A's value above B's."""
    lines = []
    for name, (a, b) in fields.items():
        lines.append(f"    {name}: A {_short(a)}")
        lines.append(f"    {' ' * len(name)}  B {_short(b)}")
    return lines


def print_first(details: list[list[str]], console: Console) -> None:
    """The first differences, each as its lines (nothing when none is to be shown)."""
    if details:
        console.print(f"first {len(details)} differences:")
    for lines in details:
        for line in lines:
            console.print(escape(line), highlight=False)


def print_diff(diff: LogDiff, console: Console, limit: int = 10) -> None:
    """The summary table, a one-line verdict and the first `limit` differences."""
    console.print(summary_table(diff))
    totals = diff.totals()
    if diff.identical:
        console.print(f"[green]identical[/green]: {diff.compared} dossiers, same outcomes")
        return
    different = len(diff.differences)
    console.print(
        f"[red]different[/red]: {different} of {diff.compared} dossiers "
        f"({totals['changed']} changed, {totals['only_in_a']} only in A, "
        f"{totals['only_in_b']} only in B)"
    )
    print_first([_detail(item) for item in diff.differences[:limit]], console)
