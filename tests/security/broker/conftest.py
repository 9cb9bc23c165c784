"""Security tests on the session broker's SASL listener (rights of deploy/rights.yaml enforced).

`secure_kafka` (tests/conftest.py) gives the listener and the credentials file; here the
four services run as processes connecting with their own principals.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from simulator.drive.driver import PortalDriver
from simulator.system.processes import ServiceCluster
from tests.secure_broker import SecureKafka
from tests.system import CLUSTER_SETTINGS, cluster_paused


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/security/broker/" in str(item.path):
            item.add_marker(pytest.mark.kafka)


@pytest.fixture(scope="module")
def secure_cluster(
    secure_kafka: SecureKafka, tmp_path_factory: pytest.TempPathFactory, key_folder: Path
) -> Iterator[ServiceCluster]:
    """The four services on the SASL listener, each as its own principal.

    They use the same consumer groups as the session's `cluster`, which is paused meanwhile.
    """
    services = ServiceCluster(
        secure_kafka.bootstrap,
        tmp_path_factory.mktemp("secure-services"),
        settings=CLUSTER_SETTINGS,
        credentials=secure_kafka.credentials,
        keys=key_folder,
    )
    with cluster_paused(), services:
        yield services


@pytest.fixture(scope="module")
async def secure_driver(secure_cluster: ServiceCluster) -> AsyncIterator[PortalDriver]:
    """An HTTP driver of the secure cluster's services."""
    async with PortalDriver(secure_cluster.urls, secure_cluster.tokens) as portal_driver:
        yield portal_driver
