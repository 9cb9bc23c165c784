"""The engines a rehearsal stands in for: the `apache/kafka` image by a local broker
(`simulator.kafka_local`), the `postgres` image by a local PostgreSQL server
(`simulator.postgres_local`) with the image's `POSTGRES_USER`, `POSTGRES_PASSWORD` and
`POSTGRES_DB`. Each serves on the port the rehearsal mapped, its data in its volume.
The broker has the local broker's settings (which the compose file's `KAFKA_*` mirror)."""

from __future__ import annotations

from typing import TypeVar

import psycopg
from psycopg import sql

from simulator.kafka_local import LocalKafka
from simulator.postgres_local import LocalPostgres
from simulator.postgres_local.databases import ensure_database
from tests.rehearsal.compose import RehearsalError, ServiceSpec

__all__ = ["start_engine"]

E = TypeVar("E", LocalKafka, LocalPostgres)


def start_engine(spec: ServiceSpec, port: int) -> LocalKafka | LocalPostgres:
    """The engine of the service's image started on `port`, ready for clients."""
    [data] = spec.volumes.values()
    if spec.engine == "apache/kafka":
        return _started(LocalKafka(data, port=port), 180)
    env = spec.environment
    if env.get("POSTGRES_USER") != "portalsim":
        raise RehearsalError("the local PostgreSQL server's superuser is portalsim only")
    server = _started(LocalPostgres(data, port=port), 120)
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER ROLE portalsim PASSWORD {}").format(
                sql.Literal(env["POSTGRES_PASSWORD"])
            )
        )
    admin = f"postgresql://portalsim:{env['POSTGRES_PASSWORD']}@127.0.0.1:{port}/postgres"
    ensure_database(admin, env["POSTGRES_DB"])
    return server


def _started(engine: E, timeout: float) -> E:
    """The engine started, or stopped again when it did not start."""
    try:
        engine.start(timeout=timeout)
    except Exception:
        engine.stop()
        raise
    return engine
