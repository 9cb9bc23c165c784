"""`portalsim asyncapi`: write or check the generated AsyncAPI document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simulator.contract_files.asyncapi import DOCUMENT_PATH, render_asyncapi
from simulator.contract_files.committed import write_or_check

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
    write_or_check(out, render_asyncapi(), check=check, regenerate="portalsim asyncapi")
