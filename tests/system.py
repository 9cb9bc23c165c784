"""Constants of the test system shared by the e2e and fault tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime

from contracts.worktime import HANOI_TZ
from services.city_portal import CityPortalSettings
from services.kit import ServiceSettings
from services.national_portal import NationalPortalSettings
from services.one_stop import OneStopSettings
from services.population_db import PopulationDbSettings
from simulator.system.processes import ServiceCluster

POPULATION_SIZE = 3000
POPULATION_SEED = 6
START = datetime(2026, 3, 2, 9, 0, tzinfo=HANOI_TZ)  # a Monday
CLUSTER_SETTINGS: dict[str, ServiceSettings] = {
    "population_db": PopulationDbSettings(
        population_size=POPULATION_SIZE, population_seed=POPULATION_SEED
    ),
    "national_portal": NationalPortalSettings(rejection_rate=0),
    "one_stop": OneStopSettings(scan_failure_rate=0),
    "city_portal": CityPortalSettings(account_check_wait_seconds=15),
}


#: the session's `cluster` while it exists (see `cluster_paused`)
_RUNNING_CLUSTERS: list[ServiceCluster] = []


@contextlib.contextmanager
def running(services: ServiceCluster) -> Iterator[None]:
    """Know `services` as the session's running cluster for the block."""
    _RUNNING_CLUSTERS.append(services)
    try:
        yield
    finally:
        _RUNNING_CLUSTERS.remove(services)


@contextlib.contextmanager
def cluster_paused() -> Iterator[None]:
    """Stop the session's cluster (when started) for the block, then start it again.

    Another set of the four services on the same broker joins the same consumer groups
    and topics: the two would split each topic's partitions and answer each other's
    dossiers. The paused services resume from their committed offsets, on the same ports.
    """
    paused = list(_RUNNING_CLUSTERS)
    for services in paused:
        services.stop()
    try:
        yield
    finally:
        for services in paused:
            services.start()
