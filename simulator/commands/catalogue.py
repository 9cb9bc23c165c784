"""`portalsim catalogue`: show the 25 essential procedures and where each settles by default."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from contracts.catalogue import Catalogue, CatalogueError, Procedure, load_catalogue

__all__ = ["catalogue_command", "catalogue_table"]

LOCAL_CODE_MARK = "*"


def _time_limit(procedure: Procedure) -> str:
    legal, extended = procedure.legal_time_limit_days, procedure.extended_time_limit_days
    if legal is None:
        return "—"
    text = "same day" if legal == 0 else f"{legal} working day{'s' if legal != 1 else ''}"
    return f"{text} (up to {extended})" if extended is not None else text


def _fee(procedure: Procedure) -> str:
    fee = procedure.fee_vnd
    if fee is None:
        return "—"
    if fee.paper == fee.online:
        return "free" if fee.paper == 0 else f"{fee.paper:,} đ"
    return f"{fee.paper:,} đ paper, {fee.online:,} đ online"


def catalogue_table(catalogue: Catalogue) -> Table:
    """A rich table of the catalogue, local codes marked with ``*``."""
    table = Table(
        title="The 25 essential online public services (dịch vụ công thiết yếu)",
        caption=f"{LOCAL_CODE_MARK} local code: no national procedure code (mã TTHC) was found.",
        caption_justify="left",
    )
    table.add_column("#", justify="right")
    table.add_column("Code")
    table.add_column("Thủ tục (Vietnamese)")
    table.add_column("Procedure (English)")
    table.add_column("Settles on")
    table.add_column("Legal limit")
    table.add_column("Fee")
    for p in catalogue.procedures:
        code = f"{p.code}{LOCAL_CODE_MARK}" if p.code_is_local else p.code
        table.add_row(
            str(p.number),
            code,
            p.name_vi,
            p.name_en,
            p.settled_by.value,
            _time_limit(p),
            _fee(p),
        )
    return table


def catalogue_command(
    json_output: bool = typer.Option(
        False, "--json", help="Print the catalogue as JSON (UTF-8) instead of a table."
    ),
) -> None:
    """Show the catalogue of the 25 procedures and the portal that settles each by default."""
    try:
        catalogue = load_catalogue()
    except CatalogueError as exc:
        typer.echo(f"The catalogue is broken:\n{exc}", err=True)
        raise typer.Exit(code=1) from exc
    if json_output:
        # Bytes, so the output is UTF-8 whatever the terminal's locale says.
        typer.echo(catalogue.model_dump_json(indent=2).encode("utf-8"))
        return
    Console().print(catalogue_table(catalogue))
