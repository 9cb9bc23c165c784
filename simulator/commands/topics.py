"""``portalsim topics``: create the registered topics on a broker and list them.

Every topic of the registry (``contracts.topics``) and its dead-letter topic is created
with its registered partition count when missing, then each one is listed with the
partitions the registry asks for and the partitions the broker has. Exit 0 when they
agree, 1 when a topic is missing or has another partition count (a topic a producer
auto-created before this ran has the broker's default count), 2 when the broker cannot
be reached. ``--list`` only lists. The docker compose job ``topics`` runs
``python -m simulator.commands.topics`` before the services start.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Annotated

import typer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from rich.console import Console

from services.kit.kafka_access import simulator_access
from services.kit.topics_admin import ensure_topics, registered_topic_partitions, topic_partitions

__all__ = [
    "BOOTSTRAP_ENV",
    "TopicRow",
    "existing_topics",
    "sync_topics",
    "topics_app",
    "topics_command",
]

#: Environment variable giving ``--bootstrap`` (used by the docker compose job).
BOOTSTRAP_ENV = "PORTALSIM_TOPICS_BOOTSTRAP"
#: Exit code when a registered topic is missing or has another partition count.
EXIT_MISMATCH = 1
#: Exit code when the broker cannot be reached.
EXIT_UNREACHABLE = 2


@dataclass(frozen=True)
class TopicRow:
    """One registered topic as the registry wants it and as the broker has it."""

    name: str
    partitions: int
    on_broker: int | None
    created: bool

    @property
    def ok(self) -> bool:
        """The broker has the topic with the registered partition count."""
        return self.on_broker == self.partitions

    @property
    def state(self) -> str:
        """``created``, ``exists``, ``missing`` or ``N partitions on the broker``."""
        if self.on_broker is None:
            return "missing"
        if not self.ok:
            return f"{self.on_broker} partitions on the broker"
        return "created" if self.created else "exists"


async def existing_topics(bootstrap: str) -> set[str]:
    """The names of the topics on the broker.

    Listed first, because describing a missing topic by name makes a broker with
    ``auto.create.topics.enable`` create it, with its default partition count.
    """
    admin = AIOKafkaAdminClient(
        **simulator_access(bootstrap).aiokafka_options(), client_id="portalsim-topics"
    )
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def sync_topics(bootstrap: str, *, create: bool = True) -> list[TopicRow]:
    """Create the missing registered topics (unless ``create`` is false), then compare.

    Rows come in registry order: the topics, then their dead-letter topics.
    """
    wanted = registered_topic_partitions()
    created = set(await ensure_topics(bootstrap)) if create else set()
    listed = await existing_topics(bootstrap)
    existing = [name for name in wanted if name in listed]
    found = await topic_partitions(bootstrap, existing) if existing else {}
    return [
        TopicRow(
            name=name,
            partitions=count,
            on_broker=len(found[name]) if name in found else None,
            created=name in created,
        )
        for name, count in wanted.items()
    ]


def _print_rows(rows: list[TopicRow], console: Console) -> None:
    width = max(len(row.name) for row in rows)
    for row in rows:
        mark = "" if row.ok else "  <- differs from the registry"
        console.print(
            f"{row.name:<{width}}  {row.partitions:>2} partitions  {row.state}{mark}",
            markup=False,
        )


def topics_command(
    bootstrap: Annotated[
        str,
        typer.Option(
            "--bootstrap", envvar=BOOTSTRAP_ENV, help="Kafka bootstrap servers, host:port."
        ),
    ] = "127.0.0.1:9092",
    list_only: Annotated[
        bool, typer.Option("--list", help="Only list the topics, create nothing.")
    ] = False,
) -> None:
    """Create the registered topics (with their partition counts) and list them."""
    console = Console(soft_wrap=True, highlight=False)
    # aiokafka logs every failed connection attempt at ERROR; ensure_topics retries them.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        rows = asyncio.run(sync_topics(bootstrap, create=not list_only))
    except (KafkaError, OSError) as exc:
        Console(stderr=True, soft_wrap=True).print(
            f"portalsim topics: Kafka at {bootstrap}: {exc}", markup=False
        )
        raise typer.Exit(EXIT_UNREACHABLE) from None
    _print_rows(rows, console)
    created = sum(row.created for row in rows)
    bad = [row.name for row in rows if not row.ok]
    console.print(f"{len(rows)} topics, {created} created, {len(bad)} differing from the registry")
    if bad:
        raise typer.Exit(EXIT_MISMATCH)


topics_app = typer.Typer(
    name="topics",
    help="Create the registered Kafka topics with their partition counts, and list them.",
    add_completion=False,
    invoke_without_command=True,
    subcommand_metavar="",
)
topics_app.callback()(topics_command)


if __name__ == "__main__":
    topics_app()
