"""Fault tests: services killed, the broker stopped, a broker of three killed, poison and
duplicated input.

They run on the session's broker and cluster (tests/conftest.py), restore what they
break, and are marked `slow` so they can run alone: `bash scripts/test.sh -m slow`.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta

import pytest

from simulator.drive.collector import EventCollector
from simulator.drive.inject import publish_records, submission_records
from simulator.drive.observations import Observations
from simulator.kafka_local import LocalKafkaCluster
from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.demand import generate_demand
from simulator.scenarios.scenario import BUILT_IN_DIR, load_scenario
from simulator.system.processes import ServiceCluster
from tests.system import START


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.path):
            item.add_marker(pytest.mark.kafka)
            item.add_marker(pytest.mark.slow)


_BATCHES = itertools.count(1)


class Workload:
    """Injects batches of dossiers on their own simulated days and watches them settle.

    Batches are numbered across the whole test session, so no two tests inject the
    same dossiers (they would be duplicates, ignored by design).
    """

    def __init__(
        self,
        bootstrap: str,
        pool: ApplicantPool,
        collector: EventCollector,
        cluster: ServiceCluster,
    ) -> None:
        self.bootstrap = bootstrap
        self.pool = pool
        self.collector = collector
        self.signer = cluster.signer()  # the cluster runs signed: inject as the simulator

    @property
    def seen(self) -> Observations:
        return self.collector.observations

    async def inject(self, count: int) -> list[str]:
        """`count` online dossiers of the hanoi-day mix, on a fresh simulated day."""
        batch = next(_BATCHES)
        base = load_scenario(BUILT_IN_DIR / "hanoi-day.yaml")
        scale = count / sum(d.daily for d in base.demand.procedures.values())
        scenario = base.model_copy(
            update={
                "name": f"faults-{batch}",
                "start_date": simulated_day(batch),
                "demand": base.demand.model_copy(update={"scale": scale, "online_share": 1.0}),
            }
        )
        records = submission_records(generate_demand(scenario, self.pool), self.signer)
        ids = [r.key.decode() for r in records if r.key]
        for dossier_id in ids:
            self.seen.accepted[dossier_id] = dossier_id
        await publish_records(self.bootstrap, records)
        return ids

    def settled(self, ids: list[str]) -> int:
        return sum(1 for d in ids if d in self.seen.settlements)


@pytest.fixture
async def workload(
    kafka_bootstrap: str, cluster: ServiceCluster, pool: ApplicantPool
) -> AsyncIterator[Workload]:
    """A collector on every topic (from now on) and an injector of signed dossiers."""
    collector = EventCollector(kafka_bootstrap)
    await collector.start()
    try:
        yield Workload(kafka_bootstrap, pool, collector, cluster)
    finally:
        await collector.stop()


def simulated_day(batch: int) -> date:
    return START.date() + timedelta(days=7 * batch)


@pytest.fixture(scope="session")
def kafka_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafkaCluster]:
    """A three-node Kafka cluster of this session's own, started and stopped with the CLI
    (`portalsim kafka up --brokers 3`, `down`) as a user would."""
    data = tmp_path_factory.mktemp("kafka-cluster")
    cli = [sys.executable, "-m", "simulator.cli", "kafka"]
    started = subprocess.run(
        [*cli, "up", "--brokers", "3", "--data", str(data), "--timeout", "300"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        assert started.returncode == 0, started.stderr[-3000:]
        cluster = LocalKafkaCluster(data, 3)
        assert started.stdout.splitlines()[-1] == cluster.bootstrap
        yield cluster
    finally:
        subprocess.run([*cli, "down", "--data", str(data)], capture_output=True, timeout=300)
