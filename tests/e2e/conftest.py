"""End to end: the four services as separate processes on the session's real broker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from contracts.worktime import HANOI_TZ
from simulator.applicants import ApplicantPool
from simulator.driver import PortalDriver
from simulator.processes import ServiceCluster

POPULATION = {"population_size": "3000", "population_seed": "6"}
START = datetime(2026, 3, 2, 9, 0, tzinfo=HANOI_TZ)  # a Monday


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.kafka)
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def cluster(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceCluster]:
    """The four services, started once for the e2e tests, with no random rejections."""
    services = ServiceCluster(
        kafka_bootstrap,
        tmp_path_factory.mktemp("services"),
        settings={
            "population_db": POPULATION,
            "national_portal": {"rejection_rate": "0"},
            "one_stop": {"scan_failure_rate": "0"},
            "city_portal": {"account_check_wait_seconds": "15"},
        },
    )
    with services:
        yield services


@pytest.fixture(scope="session")
def pool() -> ApplicantPool:
    """The same synthetic people population_db seeded."""
    return ApplicantPool(3000, 6, START.date())


@pytest.fixture(scope="session")
async def driver(cluster: ServiceCluster) -> AsyncIterator[PortalDriver]:
    """An HTTP driver of the running services."""
    async with PortalDriver(cluster.urls) as portal_driver:
        yield portal_driver


@pytest.fixture(scope="session")
def services_log_dir(cluster: ServiceCluster) -> Path:
    """Where the services write their logs (for failure messages)."""
    return cluster.data_root
