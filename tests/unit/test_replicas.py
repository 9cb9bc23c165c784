"""Replicas of a service: how the cluster lays them out, how the driver spreads over them,
and what `run --replicas` accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from services.national_portal import NationalPortalSettings
from simulator.commands.run import parse_replicas
from simulator.drive.driver import PortalDriver, replica_urls
from simulator.system.lifecycle import SystemPlan, running_system
from simulator.system.processes import ServiceCluster, replica_names
from simulator.system.settings import SystemSettings, service_settings
from tests.unit.test_system_lifecycle import scenario

URL = "postgresql://portalsim:pw@127.0.0.1:5999/portalsim_run_x"


def test_replicas_get_names_ports_folders_and_logs_of_their_own(tmp_path: Path) -> None:
    cluster = ServiceCluster(
        "127.0.0.1:29092",
        tmp_path,
        settings={"national_portal": NationalPortalSettings(rejection_rate=0)},
        replicas={"national_portal": 3, "city_portal": 2},
        store_url=URL,
        signed=False,
    )
    assert set(cluster.services) == {
        "population_db",
        "city_portal",
        "city_portal-2",
        "national_portal",
        "national_portal-2",
        "national_portal-3",
        "one_stop",
    }
    third = cluster["national_portal-3"]
    assert third.name == "national_portal"  # python -m services.national_portal
    assert third.settings.replica == "national_portal-3"
    assert isinstance(third.settings, NationalPortalSettings)
    assert third.settings.rejection_rate == 0
    assert third.data_dir == tmp_path / "national_portal-3"
    assert third.log_path.name == "national_portal-3.log"
    assert cluster["national_portal"].log_path.name == "national_portal.log"
    ports = {s.http_port for s in cluster.services.values()}
    assert len(ports) == len(cluster.services)
    for service in cluster.services.values():
        assert service.settings.store_url is not None
        assert service.settings.store_url.get_secret_value() == URL
        assert service.environment()[f"PORTALSIM_{service.name.upper()}_STORE_URL"] == URL


def test_without_a_store_url_the_cluster_stays_on_sqlite(tmp_path: Path) -> None:
    cluster = ServiceCluster("127.0.0.1:29092", tmp_path, signed=False)
    assert len(cluster.services) == 4
    assert all(s.settings.store_url is None for s in cluster.services.values())
    assert replica_names("one_stop", 1) == ["one_stop"]


async def test_the_driver_spreads_a_services_requests_over_its_replicas() -> None:
    urls = {
        "city_portal": "http://c1",
        "city_portal-2": "http://c2",
        "one_stop": "http://o",
        "population_db": "http://p",
        "national_portal": "http://n",
    }
    assert replica_urls(urls, "city_portal") == ["http://c1", "http://c2"]
    async with PortalDriver(urls) as driver:
        picked = {str(driver.city._next().base_url) for _ in range(4)}
        assert picked == {"http://c1", "http://c2"}
        assert {str(driver.desks._next().base_url) for _ in range(3)} == {"http://o"}


def test_replicas_are_parsed_and_checked() -> None:
    assert parse_replicas("national_portal=3, city_portal=2") == {
        "national_portal": 3,
        "city_portal": 2,
    }
    assert parse_replicas(None) == {}
    for wrong in ("national=3", "city_portal=0", "city_portal=two", "city_portal"):
        with pytest.raises(typer.BadParameter):
            parse_replicas(wrong)


def test_replicas_on_sqlite_are_refused_before_anything_starts() -> None:
    settings: SystemSettings = service_settings(scenario(), scenario().policies)
    plan = SystemPlan(settings=settings, replicas={"national_portal": 2})
    with pytest.raises(ValueError, match="PostgreSQL"), running_system(plan):
        pass
