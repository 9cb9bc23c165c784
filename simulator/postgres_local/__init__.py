"""Run a real PostgreSQL server locally from the installed binaries, without Docker.

One server on 127.0.0.1 from Debian's postgresql-15 (`initdb`, `pg_ctl`), as an
unprivileged account when the caller is root. See docs/scaling.md and
``portalsim postgres --help``.
"""

from __future__ import annotations

from pathlib import Path

from simulator.kafka_local.paths import default_data_dir as _kafka_data_dir
from simulator.postgres_local.databases import (
    drop_database,
    ensure_database,
    fresh_database,
    with_database,
)
from simulator.postgres_local.errors import (
    PostgresLocalError,
    PostgresSetupError,
    PostgresStartError,
)
from simulator.postgres_local.server import LocalPostgres, PostgresStatus

__all__ = [
    "LocalPostgres",
    "PostgresLocalError",
    "PostgresSetupError",
    "PostgresStartError",
    "PostgresStatus",
    "default_data_dir",
    "drop_database",
    "ensure_database",
    "fresh_database",
    "with_database",
]


def default_data_dir() -> Path:
    """``${PORTALSIM_HOME:-<repo>/.portalsim}/postgres``, the CLI's default data folder."""
    return _kafka_data_dir().with_name("postgres")
