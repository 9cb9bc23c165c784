"""Creating the registered topics (and their dead-letter topics) on a broker."""

from __future__ import annotations

import asyncio
import contextlib
import time

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from contracts.topics import TOPICS
from services.kit.kafka_access import KafkaAccess, simulator_access

__all__ = [
    "ensure_topics",
    "registered_topic_partitions",
    "replication_for",
    "topic_configs",
    "topic_partitions",
]

#: The replication factor of the topics on a cluster of this many brokers or more.
FULL_REPLICATION = 3


def replication_for(brokers: int) -> tuple[int, int]:
    """The replication factor and `min.insync.replicas` of topics on `brokers` brokers.

    Three copies where there are three brokers or more, of which two must have every
    record an `acks=all` producer is told is written: one broker may be lost without
    losing a record or stopping a producer. Fewer brokers: a copy on each, one in sync.
    """
    factor = max(1, min(brokers, FULL_REPLICATION))
    return factor, max(1, factor - 1)


def topic_configs(min_insync: int) -> dict[str, str]:
    """The configuration every registered topic is created with."""
    return {"min.insync.replicas": str(min_insync)}


def registered_topic_partitions() -> dict[str, int]:
    """Every topic of the system with its partition count (dead letters: 1)."""
    counts = {t.name: t.partitions for t in TOPICS}
    counts.update({t.deadletter: 1 for t in TOPICS if t.consumers})
    return counts


async def ensure_topics(
    bootstrap: str | KafkaAccess, attempts: int = 30, delay: float = 1.0
) -> list[str]:
    """Create the missing registered topics; returns the names created.

    Their replication follows the number of brokers (:func:`replication_for`): on a
    cluster, create them while all its brokers run. A bare address is reached as the
    simulator (`KafkaAccess.for_simulator`).

    Retries the connection with a bound, since a service may start before the broker.
    Returns once every registered topic has a leader for each of its partitions in the
    metadata the broker answers with (on a cluster, a topic just created reaches each
    node's metadata a moment later).
    """
    options = simulator_access(bootstrap).aiokafka_options()
    for attempt in range(attempts):
        admin = AIOKafkaAdminClient(**options, client_id="portalsim-admin")
        try:
            await admin.start()
        except KafkaConnectionError:
            await admin.close()
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(min(delay * 2**attempt, 5.0))
            continue
        try:
            existing = set(await admin.list_topics())
            brokers = len((await admin.describe_cluster())["brokers"])
            factor, min_insync = replication_for(brokers)
            missing = [
                NewTopic(name, count, factor, topic_configs=topic_configs(min_insync))
                for name, count in registered_topic_partitions().items()
                if name not in existing
            ]
            if missing:
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics(missing)
            await _wait_led(admin, sorted(registered_topic_partitions()))
            return [t.name for t in missing]
        finally:
            await admin.close()
    return []


TOPIC_AUTHORIZATION_FAILED = 29  # Kafka's error code


async def _wait_led(admin: AIOKafkaAdminClient, names: list[str], within_s: float = 60.0) -> None:
    """Wait until each topic is described with partitions, each led (a topic this
    principal may not describe is not waited for; its partition count is `topics`' care)."""
    deadline = time.monotonic() + within_s
    while True:
        described = await admin.describe_topics(names)
        unready = sorted(
            set(names)
            - {
                entry["topic"]
                for entry in described
                if entry.get("error_code", 0) == TOPIC_AUTHORIZATION_FAILED
                or (
                    entry.get("error_code", 0) == 0
                    and entry["partitions"]
                    and all(p["leader"] >= 0 for p in entry["partitions"])
                )
            }
        )
        if not unready:
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"topics without a leader after {within_s:g} s: {unready[:5]}")
        await asyncio.sleep(0.2)


async def topic_partitions(bootstrap: str | KafkaAccess, topics: list[str]) -> dict[str, list[int]]:
    """The partition numbers of each existing topic (missing topics are left out)."""
    options = simulator_access(bootstrap).aiokafka_options()
    admin = AIOKafkaAdminClient(**options, client_id="portalsim-admin")
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return {
        entry["topic"]: sorted(p["partition"] for p in entry["partitions"])
        for entry in described
        if entry.get("error_code", 0) == 0 and entry["partitions"]
    }
