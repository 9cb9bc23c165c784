"""``portalsim topics`` (the docker compose ``topics`` job) on an in-memory fake broker.

The fake stands in for aiokafka's admin client in both the kit's ``ensure_topics`` and
the CLI, and behaves like a broker with ``auto.create.topics.enable``: describing a
missing topic creates it with the default partition count.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
import typer
from aiokafka.admin import NewTopic
from typer.testing import CliRunner

import services.kit.topics_admin as topics_admin
import simulator.commands.topics as topics_cli
from services.kit.topics_admin import registered_topic_partitions
from simulator.commands.topics import BOOTSTRAP_ENV, sync_topics, topics_app

DEFAULT_PARTITIONS = 3


class FakeAdmin:
    """The few admin calls portalsim makes, on one shared in-memory broker."""

    topics: ClassVar[dict[str, int]] = {}
    bootstraps: ClassVar[list[str]] = []

    def __init__(self, bootstrap_servers: str, client_id: str = "") -> None:
        self.bootstraps.append(bootstrap_servers)

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def list_topics(self) -> list[str]:
        return list(self.topics)

    async def describe_cluster(self) -> dict[str, Any]:
        return {"brokers": [{"node_id": 1, "host": "127.0.0.1", "port": 9092}]}

    async def create_topics(self, new_topics: list[NewTopic]) -> None:
        for topic in new_topics:
            self.topics[topic.name] = topic.num_partitions

    async def describe_topics(self, names: list[str]) -> list[dict[str, Any]]:
        for name in names:  # auto.create.topics.enable=true
            self.topics.setdefault(name, DEFAULT_PARTITIONS)
        return [
            {
                "topic": name,
                "error_code": 0,
                "partitions": [{"partition": n, "leader": 1} for n in range(self.topics[name])],
            }
            for name in names
        ]


@pytest.fixture(autouse=True)
def fake_broker(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    FakeAdmin.topics = {}
    FakeAdmin.bootstraps = []
    monkeypatch.setattr(topics_admin, "AIOKafkaAdminClient", FakeAdmin)
    monkeypatch.setattr(topics_cli, "AIOKafkaAdminClient", FakeAdmin)
    return FakeAdmin.topics


async def test_the_job_creates_exactly_the_registered_topics(fake_broker: dict[str, int]) -> None:
    rows = await sync_topics("kafka:9092")
    assert fake_broker == registered_topic_partitions()
    assert [(r.name, r.partitions) for r in rows] == list(registered_topic_partitions().items())
    assert all(r.ok and r.created and r.state == "created" for r in rows)
    again = await sync_topics("kafka:9092")
    assert all(r.ok and not r.created and r.state == "exists" for r in again)
    assert set(FakeAdmin.bootstraps) == {"kafka:9092"}


async def test_listing_creates_nothing_not_even_by_describing(
    fake_broker: dict[str, int],
) -> None:
    rows = await sync_topics("kafka:9092", create=False)
    assert fake_broker == {}
    assert all(r.state == "missing" and not r.ok for r in rows)


def test_the_command_reads_the_bootstrap_from_the_environment(
    fake_broker: dict[str, int],
) -> None:
    result = CliRunner().invoke(topics_app, [], env={BOOTSTRAP_ENV: "kafka:9092"})
    assert result.exit_code == 0, result.output
    assert set(FakeAdmin.bootstraps) == {"kafka:9092"}
    assert fake_broker == registered_topic_partitions()
    for name, count in registered_topic_partitions().items():
        assert f"{name} " in result.output and f"{count:>2} partitions" in result.output
    assert f"{len(fake_broker)} topics, {len(fake_broker)} created, 0 differing" in result.output


def test_a_topic_with_another_partition_count_fails_the_job(fake_broker: dict[str, int]) -> None:
    fake_broker["desk.queue.changed"] = DEFAULT_PARTITIONS  # auto-created before the job
    result = CliRunner().invoke(topics_app, ["--bootstrap", "kafka:9092"])
    assert result.exit_code == topics_cli.EXIT_MISMATCH
    assert "desk.queue.changed" in result.output and "3 partitions on the broker" in result.output


def test_list_only_exits_non_zero_while_topics_are_missing(fake_broker: dict[str, int]) -> None:
    result = CliRunner().invoke(topics_app, ["--list"])
    assert result.exit_code == topics_cli.EXIT_MISMATCH
    assert fake_broker == {}
    assert FakeAdmin.bootstraps and set(FakeAdmin.bootstraps) == {"127.0.0.1:9092"}


def test_it_registers_as_portalsim_topics() -> None:
    parent = typer.Typer()
    parent.command("other")(lambda: None)
    parent.add_typer(topics_app, name="topics")
    result = CliRunner().invoke(parent, ["topics", "--help"])
    assert result.exit_code == 0
    assert "--bootstrap" in result.output and "--list" in result.output
