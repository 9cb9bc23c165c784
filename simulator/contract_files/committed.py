"""Files generated from the contracts: write them, or check that the committed one is current."""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["write_or_check"]


def write_or_check(path: Path, text: str, *, check: bool, regenerate: str) -> None:
    """Write `text` to `path`; with `check`, exit 1 when it differs (`regenerate` says how)."""
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            typer.echo(f"{path} is stale: run `{regenerate}`", err=True)
            raise typer.Exit(1)
        typer.echo(f"{path} is up to date")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {path}")
