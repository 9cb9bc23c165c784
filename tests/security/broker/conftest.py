"""Security tests on the session broker's SASL listener (rights of deploy/rights.yaml enforced).

`secure_kafka` (tests/conftest.py) gives the listener and the credentials file; here the
four services run as processes connecting with their own principals.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from simulator.driver import PortalDriver
from simulator.processes import ServiceCluster
from tests.secure_broker import SecureKafka
from tests.system import CLUSTER_SETTINGS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/security/broker/" in str(item.path):
            item.add_marker(pytest.mark.kafka)


@pytest.fixture(scope="session")
def secure_cluster(
    secure_kafka: SecureKafka, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceCluster]:
    """The four services on the SASL listener, each as its own principal."""
    services = ServiceCluster(
        secure_kafka.bootstrap,
        tmp_path_factory.mktemp("secure-services"),
        settings=CLUSTER_SETTINGS,
        credentials=secure_kafka.credentials,
    )
    with services:
        yield services


@pytest.fixture(scope="session")
async def secure_driver(secure_cluster: ServiceCluster) -> AsyncIterator[PortalDriver]:
    """An HTTP driver of the secure cluster's services."""
    async with PortalDriver(secure_cluster.urls, secure_cluster.tokens) as portal_driver:
        yield portal_driver
