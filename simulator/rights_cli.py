"""`portalsim rights`: write or check deploy/rights.yaml, the broker rights of each principal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from contracts.rights import render_rights, rights_from_registry
from simulator.kafka_local.paths import rights_path

__all__ = ["RIGHTS_PATH", "rights_command"]

#: The committed rights file, generated from the topic registry.
RIGHTS_PATH = rights_path()


def rights_command(
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when the committed file is stale.")
    ] = False,
    out: Annotated[Path, typer.Option("--out", help="Where the rights file is written.")] = (
        RIGHTS_PATH
    ),
) -> None:
    """Generate the rights file (who may write, read, join which group) from the topic registry."""
    text = render_rights(rights_from_registry())
    if check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            typer.echo(f"{out} is stale: run `portalsim rights`", err=True)
            raise typer.Exit(1)
        typer.echo(f"{out} is up to date")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}")
