"""One Kafka broker of three lost mid-run: the cluster keeps every acknowledged record.

On the session's three-node cluster (`kafka_cluster`, tests/faults/conftest.py) every
topic keeps three replicas, two of which must hold a record before an `acks=all` producer
is told it is written. A node SIGKILLed in the middle of `portalsim run` (no controlled
shutdown) leaves two in sync: its partitions get new leaders, the services' producers and
consumers follow them, and the run ends with every dossier settled once while the node is
still down. It is restarted afterwards and joins the cluster again.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from asyncio.subprocess import Process
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from services.kit.topics_admin import ensure_topics, registered_topic_partitions
from simulator.bench.watch import end_offsets
from simulator.kafka_local import LocalKafkaCluster

pytestmark = pytest.mark.timeout(900)  # a cluster, a run, a node's restart on 2 shared cores

SMALL_SCENARIO = Path(__file__).parents[1] / "e2e" / "small-scenario.yaml"
SETTLED = "dossier.settled"
#: Settlements seen before the kill: the run is under way, most of it still to come.
SETTLED_BEFORE_KILL = 10


async def _describe(bootstrap: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every registered topic's partitions, and its `min.insync.replicas`."""
    names = sorted(registered_topic_partitions())
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="test-describe")
    await admin.start()
    try:
        topics = await admin.describe_topics(names)
        wanted = {"min.insync.replicas": None}
        resources = [ConfigResource(ConfigResourceType.TOPIC, n, wanted) for n in names]
        answers = await admin.describe_configs(resources)
    finally:
        await admin.close()
    min_insync = {
        resource["resource_name"]: entry["config_value"]
        for answer in answers
        for resource in answer.to_object()["resources"]
        for entry in resource["config_entries"]
    }
    return topics, min_insync


async def test_every_topic_on_three_brokers_has_three_replicas_and_two_must_be_in_sync(
    kafka_cluster: LocalKafkaCluster,
) -> None:
    await ensure_topics(kafka_cluster.bootstrap)
    topics, min_insync = await _describe(kafka_cluster.bootstrap)
    assert {t["topic"] for t in topics} == set(registered_topic_partitions())
    for topic in topics:
        for partition in topic["partitions"]:
            assert sorted(partition["replicas"]) == [1, 2, 3], (topic["topic"], partition)
    assert set(min_insync) == set(registered_topic_partitions())
    assert set(min_insync.values()) == {"2"}


async def _settled(bootstrap: str) -> int:
    return sum((await end_offsets(bootstrap, [SETTLED])).values())


async def _leader_of_settlements(bootstrap: str) -> int:
    """The node leading `dossier.settled`'s first partition: killing it moves a hot leader."""
    topics, _ = await _describe(bootstrap)
    (settled,) = [t for t in topics if t["topic"] == SETTLED]
    return int(min(settled["partitions"], key=lambda p: p["partition"])["leader"])


async def _kill_mid_run(cluster: LocalKafkaCluster, run: Process) -> tuple[int, int]:
    """Wait until the run settles dossiers, then SIGKILL a node; (node, settled by then)."""
    deadline = time.monotonic() + 600
    while (settled := await _settled(cluster.bootstrap)) < SETTLED_BEFORE_KILL:
        assert run.returncode is None, "the run ended before the kill"
        assert time.monotonic() < deadline, "no settlements within 600 s"
        await asyncio.sleep(0.2)
    node = await _leader_of_settlements(cluster.bootstrap)
    assert run.returncode is None, "the run ended before the kill"
    assert cluster.kill_node(node) is not None
    return node, settled


async def test_a_broker_killed_mid_run_loses_and_duplicates_nothing_and_the_run_ends_without_it(
    kafka_cluster: LocalKafkaCluster, tmp_path: Path
) -> None:
    await ensure_topics(kafka_cluster.bootstrap)
    cli = [sys.executable, "-m", "simulator.cli", "run", str(SMALL_SCENARIO)]
    output = tmp_path / "run.out"
    with output.open("wb") as out:
        run = await asyncio.create_subprocess_exec(
            *cli,
            "--bootstrap",
            kafka_cluster.bootstrap,
            "--out",
            str(tmp_path / "report"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        node, settled_at_kill = await _kill_mid_run(kafka_cluster, run)
        await asyncio.wait_for(run.wait(), 900)
        assert kafka_cluster.status()[node - 1] is None, "the node came back before the run ended"
    finally:
        if run.returncode is None:
            run.kill()
            await run.wait()
        await asyncio.to_thread(kafka_cluster.start, 300)  # the killed node joins again
    summary = orjson.loads((tmp_path / "report" / "summary.json").read_bytes())
    conservation = summary["conservation"]
    assert run.returncode == 0, output.read_text(errors="replace")[-3000:]
    assert conservation["submitted"] > settled_at_kill, "the kill came after the run's work"
    assert (conservation["unfinished"], conservation["lost"], conservation["duplicated"]) == (
        0,
        0,
        0,
    )
    assert conservation["holds"] is True
    assert all(status is not None for status in kafka_cluster.status())
