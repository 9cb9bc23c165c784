"""``portalsim postgres``: run a real PostgreSQL server on 127.0.0.1 without Docker.

``up`` starts (or finds) the server of a data folder and prints its URL (database
``portalsim``) alone on the last line of stdout; ``status`` exits 0 when it runs and 3
when not; ``down`` stops it. Errors are one ``portalsim postgres: ...`` line on stderr,
exit 1. As root the server runs as an unprivileged account (``postgres`` or ``portalsim``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from simulator.postgres_local import (
    LocalPostgres,
    PostgresLocalError,
    PostgresStatus,
    default_data_dir,
)

#: Exit code of ``status`` when no server runs.
EXIT_NOT_RUNNING = 3

postgres_app = typer.Typer(
    name="postgres",
    help="Run a real PostgreSQL server locally from the installed binaries (no Docker needed).",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Server data folder (default: $PORTALSIM_HOME/postgres, else "
        "<repo>/.portalsim/postgres).",
        show_default=False,
    ),
]


def _server(data: Path | None, port: int | None = None) -> LocalPostgres:
    return LocalPostgres((data or default_data_dir()).expanduser().resolve(), port=port)


def _fail(message: str) -> NoReturn:
    err.print(f"portalsim postgres: {escape(message)}")
    raise typer.Exit(1)


def _where(status: PostgresStatus) -> str:
    return f"{status.address} (data: {escape(str(status.data_dir))}, as {status.user})"


@postgres_app.command()
def up(
    port: Annotated[
        int | None,
        typer.Option(
            "--port",
            help="Port (default: the folder's saved port, else 5432 if free, else any).",
            show_default=False,
        ),
    ] = None,
    data: DataOption = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for readiness.")] = 60.0,
) -> None:
    """Start the server of a data folder, or report the one already running."""
    server = _server(data, port)
    running = server.status()
    try:
        url = server.start(timeout=timeout)
    except PostgresLocalError as exc:
        _fail(str(exc))
    status = server.status()
    if running is not None:
        out.print(f"PostgreSQL already running at {_where(running)}")
        if port is not None and port != running.port:
            err.print(f"note: --port {port} ignored; stop the server first to change its port")
    elif status is not None:
        out.print(f"PostgreSQL is running at {_where(status)}")
    print(url)


@postgres_app.command()
def status(data: DataOption = None) -> None:
    """Show the server of a data folder; exit 0 when running, 3 when not."""
    server = _server(data)
    running = server.status()
    if running is None:
        out.print(f"PostgreSQL is not running (data: {escape(str(server.data_dir))})")
        raise typer.Exit(EXIT_NOT_RUNNING)
    uptime = datetime.now(UTC) - running.started_at
    out.print(f"PostgreSQL is running at {_where(running)}")
    out.print(f"  pid:        {running.pid}")
    out.print(f"  started at: {running.started_at.isoformat(timespec='seconds')}")
    out.print(f"  uptime:     {int(uptime.total_seconds())}s")
    out.print(f"  log:        {escape(str(server.log_file))}")
    print(server.url())


@postgres_app.command()
def down(
    data: DataOption = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the shutdown.")] = 60.0,
) -> None:
    """Stop the server of a data folder (nothing to do if none runs)."""
    server = _server(data)
    try:
        stopped = server.stop(timeout=timeout)
    except PostgresLocalError as exc:
        _fail(str(exc))
    if stopped is None:
        out.print(f"PostgreSQL is not running (data: {escape(str(server.data_dir))})")
    else:
        out.print(f"PostgreSQL stopped: pid {stopped.pid} at {_where(stopped)}")


if __name__ == "__main__":
    postgres_app(prog_name="portalsim postgres")
