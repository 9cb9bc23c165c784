"""`portalsim asyncapi`: write or check the generated AsyncAPI document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simulator.asyncapi import DOCUMENT_PATH, render_asyncapi

__all__ = ["asyncapi_command"]


def asyncapi_command(
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when the committed file is stale.")
    ] = False,
    out: Annotated[Path, typer.Option("--out", help="Where the document is written.")] = (
        DOCUMENT_PATH
    ),
) -> None:
    """Generate the AsyncAPI 3 document of all services from the contracts."""
    text = render_asyncapi()
    if check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            typer.echo(f"{out} is stale: run `portalsim asyncapi`", err=True)
            raise typer.Exit(1)
        typer.echo(f"{out} is up to date")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}")
