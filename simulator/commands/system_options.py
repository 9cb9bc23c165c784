"""The options of the system a command starts, shared by `run`, `bench` and `replay`:
how many Kafka nodes (`--brokers`), where the services keep their state (`--store`) and how
many processes each runs (`--replicas`)."""

from __future__ import annotations

from typing import Annotated

import typer

from simulator.system.settings import SERVICE_NAMES
from simulator.system.stores import StoreKind

__all__ = ["BrokersOption", "parse_replicas", "parse_store"]

#: `--brokers` of run, bench and replay.
BrokersOption = Annotated[
    int,
    typer.Option(
        "--brokers",
        min=1,
        help="Kafka nodes of the fresh local broker: 3 is a cluster whose topics keep three "
        "replicas, two in sync (docs/scaling.md); not with --bootstrap or --secure.",
    ),
]


def parse_replicas(value: str | None) -> dict[str, int]:
    """`national_portal=3,city_portal=2` to a mapping (each a service, at least 1)."""
    replicas: dict[str, int] = {}
    for part in (value or "").split(","):
        if not part.strip():
            continue
        name, _, count = part.partition("=")
        if name.strip() not in SERVICE_NAMES or not count.strip().isdigit() or int(count) < 1:
            raise typer.BadParameter(f"{part!r}: expected SERVICE=N with SERVICE one of the four")
        replicas[name.strip()] = int(count)
    return replicas


def parse_store(store: str, replicas: str | None) -> tuple[StoreKind, dict[str, int]]:
    """`--store` and `--replicas` checked together: more than one process needs PostgreSQL."""
    if store not in ("sqlite", "postgresql"):
        raise typer.BadParameter("--store is sqlite or postgresql")
    scaled = parse_replicas(replicas)
    if store == "sqlite" and any(n > 1 for n in scaled.values()):
        raise typer.BadParameter("--replicas needs --store postgresql (replicas share its state)")
    return ("postgresql" if store == "postgresql" else "sqlite"), scaled
