"""Where the services of one command keep their state: SQLite files, or PostgreSQL.

With PostgreSQL the run gets a database of its own (each service a schema in it, shared by
its replicas) on the given server, else on a fresh local server in a temporary folder
(`simulator.postgres_local`), stopped and removed at the end, like the run's broker.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from rich.console import Console

from simulator.kafka_local import free_port
from simulator.postgres_local import LocalPostgres, drop_database, fresh_database

__all__ = ["StoreKind", "store_for"]

StoreKind = Literal["sqlite", "postgresql"]


@contextlib.contextmanager
def store_for(kind: StoreKind, server_url: str | None, console: Console) -> Iterator[str | None]:
    """None for SQLite; for PostgreSQL the URL of a fresh database, dropped at exit."""
    if kind == "sqlite":
        yield None
        return
    if server_url is not None:
        database = fresh_database(server_url, "portalsim_run")
        try:
            yield database
        finally:
            drop_database(database)
        return
    folder = Path(tempfile.mkdtemp(prefix="portalsim-postgres-"))
    folder.chmod(0o711)  # as root the server runs as its own account, which walks through
    server = LocalPostgres(folder / "pg", port=free_port())
    console.print("[dim]starting the local PostgreSQL server...[/dim]")
    try:
        yield fresh_database(server.start(timeout=120), "portalsim_run")
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
