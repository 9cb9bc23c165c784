"""The one_stop desks' queues over simulated time: departures, the clock, the desk views."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.service.test_one_stop_harness import RECEIVED, Desk, intake_body, open_desk


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    async for harness in open_desk(tmp_path, scan_failure_rate=0.0):
        yield harness


# -- the queue over simulated time -------------------------------------------------------


async def test_a_departure_is_published_once_a_later_receipt_passes_it(desk: Desk) -> None:
    await desk.client.post("/desks/001/dossiers", json=intake_body())
    second = intake_body(client_ref="desk-2")
    second_done = (await desk.client.post("/desks/001/dossiers", json=second)).json()
    later = intake_body(client_ref="desk-3", received_simtime="2026-03-02T10:00:00+07:00")
    await desk.client.post("/desks/001/dossiers", json=later)
    queue = [(e["simtime"], e["data"]["queue_length"]) for e in desk.events("desk.queue.changed")]
    assert queue == [
        (RECEIVED, 1),
        (RECEIVED, 2),
        ("2026-03-02T09:31:21+07:00", 1),
        (second_done["digitised_simtime"], 0),
        ("2026-03-02T10:00:00+07:00", 1),
    ]


async def test_advancing_the_clock_publishes_the_remaining_departures(desk: Desk) -> None:
    accepted = (await desk.client.post("/desks/001/dossiers", json=intake_body())).json()
    response = await desk.client.post("/desks/clock", json={"simtime": "2026-03-03T08:00:00+07:00"})
    assert response.json()["departures_published"] == 1
    departure = desk.events("desk.queue.changed")[-1]
    assert departure["simtime"] == accepted["digitised_simtime"]
    assert departure["data"]["queue_length"] == 0


async def test_a_late_receipt_departs_only_after_it_arrived(desk: Desk) -> None:
    for ref, unit, hour in (("a", "001", 10), ("b", "002", 11), ("late", "001", 9)):
        body = intake_body(client_ref=ref, received_simtime=f"2026-03-02T{hour:02d}:00:00+07:00")
        await desk.client.post(f"/desks/{unit}/dossiers", json=body)
    late_id = desk.events("desk.queue.changed")[-1]["data"]["dossier_id"]
    assert [e["data"]["dossier_id"] for e in desk.events("desk.queue.changed")].count(late_id) == 1
    await desk.client.post("/desks/clock", json={"simtime": "2026-03-02T11:00:00+07:00"})
    departure = desk.events("desk.queue.changed")[-1]
    assert departure["data"] == {"unit_code": "001", "queue_length": 0, "dossier_id": late_id}
    assert departure["simtime"] == "2026-03-02T10:02:42+07:00"


async def test_an_unknown_unit_is_404_before_the_body_is_read(desk: Desk) -> None:
    response = await desk.client.post("/desks/abc/dossiers", json={"procedure_code": 1})
    assert response.status_code == 404


async def test_a_desk_shows_its_capacity_and_queue_in_simulated_time(tmp_path: Path) -> None:
    async for desk in open_desk(
        tmp_path, scan_failure_rate=0.0, desk_capacity_overrides={"001": 9}
    ):
        for n in range(3):
            body = intake_body(client_ref=f"desk-{n}")
            await desk.client.post("/desks/001/dossiers", json=body)
        view = (await desk.client.get("/desks/001")).json()
        assert (view["capacity_per_day"], view["queue_length"], view["peak_queue"]) == (9, 3, 3)
        assert view["free_at"] == "2026-03-02T12:30:00+07:00"
        later = await desk.client.get("/desks/001", params={"at": "2026-03-02T11:00:00+07:00"})
        assert later.json()["queue_length"] == 2
        listing = (await desk.client.get("/desks")).json()
        assert [(d["unit_code"], d["peak_queue"]) for d in listing["desks"]] == [("001", 3)]
        assert listing["as_of"] == RECEIVED


async def test_an_idle_desk_shows_an_empty_queue(desk: Desk) -> None:
    view = (await desk.client.get("/desks/00101")).json()
    assert (view["queue_length"], view["free_at"], view["capacity_per_day"]) == (0, None, 400)
    assert (await desk.client.get("/desks/999")).status_code == 404
