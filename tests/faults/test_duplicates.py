"""Redelivered and replayed events change nothing twice."""

from __future__ import annotations

from simulator.drive.inject import publish_records
from tests.faults.conftest import Workload
from tests.faults.reading import about, as_outbox, read_topic
from tests.faults.waiting import wait_until


async def test_the_same_submission_published_twice_settles_once(workload: Workload) -> None:
    ids = await workload.inject(50)
    await wait_until(lambda: workload.settled(ids) == len(ids), 120, "first copies settled")
    copies = await read_topic(workload.bootstrap, "dossier.submitted", about(set(ids)))
    await publish_records(workload.bootstrap, [as_outbox(r) for r in copies])
    marker = await workload.inject(5)
    await wait_until(lambda: workload.settled(marker) == len(marker), 120, "marker settled")
    settlements = await read_topic(workload.bootstrap, "dossier.settled", about(set(ids)))
    assert len(settlements) == len({r.key for r in settlements}) == len(ids)


async def test_an_old_settlement_replayed_changes_no_population_record(workload: Workload) -> None:
    ids = await workload.inject(200)
    await wait_until(lambda: workload.settled(ids) == len(ids), 120, "batch settled")
    changed = await read_topic(workload.bootstrap, "population.record.changed", about(set(ids)))
    assert changed, "the batch changed some population records (births, deaths, marriages)"
    old = await read_topic(workload.bootstrap, "dossier.settled", about(set(ids)))
    await publish_records(workload.bootstrap, [as_outbox(r) for r in old])
    marker = await workload.inject(5)
    await wait_until(lambda: workload.settled(marker) == len(marker), 120, "marker settled")
    after = await read_topic(workload.bootstrap, "population.record.changed", about(set(ids)))
    assert len(after) == len(changed)
