"""Whatever stops, every dossier still reaches exactly one terminal state."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from simulator.system.processes import ServiceCluster
from tests.faults.conftest import Workload
from tests.faults.waiting import wait_until

RUN = 2000


def assert_each_settled_once(workload: Workload, ids: list[str]) -> None:
    seen = workload.seen
    unsettled = [d for d in ids if d not in seen.settlements]
    twice = {d: list(seen.settlements[d]) for d in ids if len(seen.settlements.get(d, {})) > 1}
    assert not unsettled, f"{len(unsettled)} dossiers never settled"
    assert not twice, f"settled by more than one decision: {twice}"


@pytest.mark.parametrize("service", ["city_portal", "population_db", "national_portal", "one_stop"])
async def test_a_service_killed_mid_run_and_restarted_settles_every_dossier_once(
    workload: Workload, cluster: ServiceCluster, service: str
) -> None:
    ids = await workload.inject(RUN)
    await wait_until(lambda: workload.settled(ids) >= RUN // 5, 120, "a fifth settled")
    await asyncio.to_thread(cluster[service].kill)
    await asyncio.to_thread(cluster[service].start)
    await asyncio.to_thread(cluster[service].wait_healthy)
    await wait_until(lambda: workload.settled(ids) == len(ids), 300, "all settled after restart")
    assert_each_settled_once(workload, ids)


async def test_a_stopped_national_portal_holds_its_dossiers_then_drains(
    workload: Workload, cluster: ServiceCluster
) -> None:
    national = cluster["national_portal"]
    await asyncio.to_thread(national.stop)
    try:
        ids = await workload.inject(500)
        await wait_until(
            lambda: workload.settled(ids) > 0, 60, "city-portal dossiers settle meanwhile"
        )
        await asyncio.sleep(20)  # the outage itself: 20 s without the national portal
        open_during_outage = len(ids) - workload.settled(ids)
    finally:
        await asyncio.to_thread(national.start)
        await asyncio.to_thread(national.wait_healthy)
    assert open_during_outage > 0, "national dossiers should wait during the outage"
    await wait_until(lambda: workload.settled(ids) == len(ids), 300, "all drained")
    assert_each_settled_once(workload, ids)


async def test_a_broker_stopped_mid_run_and_restarted_on_its_data_loses_nothing(
    workload: Workload, kafka_broker: tuple[str, Any]
) -> None:
    _, local = kafka_broker
    if local is None:
        pytest.skip("the broker is external: this test stops and restarts the local one")
    ids = await workload.inject(RUN)
    await wait_until(lambda: workload.settled(ids) >= RUN // 5, 120, "a fifth settled")
    await asyncio.to_thread(local.stop)
    await asyncio.to_thread(local.start)
    await wait_until(lambda: workload.settled(ids) == len(ids), 300, "all settled after restart")
    assert_each_settled_once(workload, ids)
