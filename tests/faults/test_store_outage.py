"""PostgreSQL stopped for 10 s mid-run: the services retry, say so in their logs, and finish.

The services run on a PostgreSQL server of this test's own (the session's is left alone),
the national portal as two replicas; the session's cluster is paused meanwhile (the
two sets would share consumer groups).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.drive.collector import EventCollector
from simulator.kafka_local import free_port
from simulator.postgres_local import LocalPostgres, fresh_database
from simulator.scenarios.applicants import ApplicantPool
from simulator.system.processes import ServiceCluster
from tests.faults.conftest import Workload
from tests.faults.test_crash_recovery import assert_each_settled_once
from tests.faults.waiting import wait_until
from tests.system import CLUSTER_SETTINGS, cluster_paused

OUTAGE_S = 10.0
RETRY_LINE = "store busy or unreachable, retrying batch"


@pytest.fixture
def own_postgres() -> Iterator[LocalPostgres]:
    folder = Path(tempfile.mkdtemp(prefix="portalsim-pg-outage-"))
    folder.chmod(0o711)
    server = LocalPostgres(folder / "pg", port=free_port())
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _logged(cluster: ServiceCluster, line: str) -> set[str]:
    return {
        key
        for key, service in cluster.services.items()
        if service.log_path.exists() and line in service.log_path.read_text(errors="replace")
    }


async def test_postgresql_stopped_for_ten_seconds_loses_nothing(
    kafka_bootstrap: str,
    key_folder: Path,
    pool: ApplicantPool,
    own_postgres: LocalPostgres,
    tmp_path: Path,
) -> None:
    database = fresh_database(own_postgres.start(), "outage")
    with cluster_paused():
        services = ServiceCluster(
            kafka_bootstrap,
            tmp_path / "services",
            settings=CLUSTER_SETTINGS,
            keys=key_folder,
            replicas={"national_portal": 2},
            store_url=database,
        )
        collector = EventCollector(kafka_bootstrap)
        await collector.start()
        try:
            await asyncio.to_thread(services.start)
            workload = Workload(kafka_bootstrap, pool, collector, services)
            ids = await workload.inject(600)
            await wait_until(lambda: workload.settled(ids) >= 60, 120, "a tenth settled")
            stopped = time.monotonic()
            await asyncio.to_thread(own_postgres.stop)
            await wait_until(
                lambda: bool(_logged(services, RETRY_LINE)), 30, "a service logs its retries"
            )
            await asyncio.sleep(max(0.0, stopped + OUTAGE_S - time.monotonic()))  # the outage
            open_during_outage = len(ids) - workload.settled(ids)
            await asyncio.to_thread(own_postgres.start)
            await wait_until(lambda: workload.settled(ids) == len(ids), 300, "all settled after")
            assert open_during_outage > 0, "dossiers should wait while the store is down"
            assert_each_settled_once(workload, ids)
            assert all(s.is_running() for s in services.services.values())
        finally:
            await collector.stop()
            await asyncio.to_thread(services.stop)
