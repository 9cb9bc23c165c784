"""Error types raised by the local PostgreSQL server manager."""

from __future__ import annotations


class PostgresLocalError(Exception):
    """Base class of every error raised by :mod:`simulator.postgres_local`."""


class PostgresSetupError(PostgresLocalError):
    """A prerequisite is missing: the PostgreSQL binaries, a server account, a reachable folder."""


class PostgresStartError(PostgresLocalError):
    """The server could not be initialised, started or stopped (the message quotes its log)."""
