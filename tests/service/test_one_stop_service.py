"""The one_stop service on FastStream's in-memory broker: desk intake over HTTP, returns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from contracts.events import Channel, Outcome
from tests.service.test_one_stop_harness import RECEIVED, Desk, intake_body, open_desk, settlement


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    async for harness in open_desk(tmp_path, scan_failure_rate=0.0):
        yield harness


@pytest.fixture
async def failing_desk(tmp_path: Path) -> AsyncIterator[Desk]:
    async for harness in open_desk(tmp_path, scan_failure_rate=1.0):
        yield harness


# -- intake ------------------------------------------------------------------------------


async def test_a_valid_intake_is_accepted_and_queued_for_digitisation(desk: Desk) -> None:
    response = await desk.client.post("/desks/00101/dossiers", json=intake_body())
    assert response.status_code == 202
    accepted = response.json()
    assert accepted["dossier_code"] == "00101-260302-6000"
    assert accepted["unit_code"] == "00101"
    assert accepted["status"] == "digitising"
    assert accepted["digitised_simtime"] == "2026-03-02T09:31:21+07:00"


async def test_a_valid_intake_publishes_received_digitising_queue_and_submission(
    desk: Desk,
) -> None:
    accepted = (await desk.client.post("/desks/001/dossiers", json=intake_body())).json()
    topics = [e["topic"] for e in desk.events()]
    assert topics == [
        "desk.dossier.received",
        "dossier.status.changed",
        "desk.queue.changed",
        "dossier.submitted",
    ]
    assert desk.statuses() == ["received", "digitising"]
    [queue] = desk.events("desk.queue.changed")
    assert queue["data"] == {
        "unit_code": "001",
        "queue_length": 1,
        "dossier_id": accepted["dossier_id"],
    }
    assert queue["simtime"] == RECEIVED
    [submitted] = desk.events("dossier.submitted")
    assert submitted["data"]["channel"] == "desk"
    assert submitted["data"]["received_unit"] == "001"
    assert submitted["data"]["received_simtime"] == RECEIVED
    assert submitted["data"]["persons"][0]["id_number"] == "001087012345"
    assert submitted["simtime"] == accepted["digitised_simtime"]
    assert {e["correlationid"] for e in desk.events()} == {accepted["dossier_id"]}


async def test_the_next_dossier_at_the_desk_waits_and_gets_the_next_code(desk: Desk) -> None:
    first = (await desk.client.post("/desks/001/dossiers", json=intake_body())).json()
    second = (
        await desk.client.post("/desks/001/dossiers", json=intake_body(client_ref="desk-2"))
    ).json()
    other = (
        await desk.client.post("/desks/002/dossiers", json=intake_body(client_ref="desk-3"))
    ).json()
    assert (first["dossier_code"], second["dossier_code"]) == (
        "001-260302-6000",
        "001-260302-6001",
    )
    assert other["dossier_code"] == "002-260302-6000"
    assert second["digitised_simtime"] == "2026-03-02T09:32:42+07:00"
    lengths = [e["data"]["queue_length"] for e in desk.events("desk.queue.changed")]
    assert lengths == [1, 2, 1]


async def test_the_same_client_ref_twice_gives_one_dossier(desk: Desk) -> None:
    first = await desk.client.post("/desks/001/dossiers", json=intake_body())
    again = await desk.client.post("/desks/001/dossiers", json=intake_body())
    assert again.status_code == 202
    assert again.json() == first.json()
    assert len(desk.events("dossier.submitted")) == 1
    assert len(desk.events()) == 4  # intake, received and digitising, queue, submission


async def test_an_unknown_unit_is_404_naming_the_unit_code(desk: Desk) -> None:
    response = await desk.client.post("/desks/999/dossiers", json=intake_body())
    assert response.status_code == 404
    assert "unit_code '999'" in response.json()["detail"]
    assert desk.events() == []


async def test_an_unknown_procedure_is_422_naming_procedure_code(desk: Desk) -> None:
    body = intake_body(procedure_code="9.999999")
    response = await desk.client.post("/desks/001/dossiers", json=body)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "procedure_code"]]
    assert desk.events() == []


async def test_a_malformed_id_number_is_422_naming_the_field(desk: Desk) -> None:
    body = intake_body()
    body["persons"][0]["id_number"] = "00108701234X"
    response = await desk.client.post("/desks/001/dossiers", json=body)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "persons", 0, "id_number"]
    assert error["type"] == "id_number"
    assert desk.events() == []


async def test_a_foreigner_without_an_id_number_is_accepted(desk: Desk) -> None:
    body = intake_body()
    body["persons"][0] |= {"id_number": None, "passport_number": "C1234567", "nationality": "FR"}
    response = await desk.client.post("/desks/001/dossiers", json=body)
    assert response.status_code == 202


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({k: v for k, v in intake_body().items() if k != "received_simtime"}, "received_simtime"),
        ({k: v for k, v in intake_body().items() if k != "procedure_code"}, "procedure_code"),
        (intake_body(persons="the applicant"), "persons"),
        (intake_body(persons=[]), "persons"),
        (intake_body(received_simtime="yesterday"), "received_simtime"),
        (intake_body(received_simtime="2026-03-02T09:30:00"), "received_simtime"),
        (intake_body(form={"nested": {"no": 1}}), "form"),
        (intake_body(client_ref="x" * 101), "client_ref"),
        (intake_body(clerk="Lan"), "clerk"),
    ],
    ids=[
        "missing-received_simtime",
        "missing-procedure_code",
        "persons-wrong-type",
        "persons-empty",
        "simtime-not-a-date",
        "simtime-naive",
        "form-nested",
        "client_ref-too-long",
        "extra-field",
    ],
)
async def test_an_invalid_body_is_422_naming_the_field_and_publishes_nothing(
    desk: Desk, body: dict[str, Any], loc: str
) -> None:
    response = await desk.client.post("/desks/001/dossiers", json=body)
    assert response.status_code == 422
    assert loc in {e["loc"][1] for e in response.json()["detail"]}
    assert desk.events() == []


async def test_a_first_person_who_is_not_the_applicant_is_422(desk: Desk) -> None:
    body = intake_body()
    body["persons"][0]["role"] = "spouse"
    response = await desk.client.post("/desks/001/dossiers", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "persons"]


# -- scan failures -----------------------------------------------------------------------


async def test_a_failed_scan_settles_the_dossier_rejected_by_one_stop(failing_desk: Desk) -> None:
    response = await failing_desk.client.post("/desks/001/dossiers", json=intake_body())
    accepted = response.json()
    assert response.status_code == 202
    assert failing_desk.events("dossier.submitted") == []
    [settled] = failing_desk.events("dossier.settled")
    data = settled["data"]
    assert (data["outcome"], data["settled_by"], data["reason_code"]) == (
        "rejected",
        "one_stop",
        "scan_failed",
    )
    assert data["reason_text"].startswith("Hồ sơ giấy không số hóa được")
    assert data["channel"] == "desk"
    assert data["received_simtime"] == RECEIVED
    assert data["settled_simtime"] == accepted["digitised_simtime"] == settled["simtime"]
    carried = [t["status"] for t in data["transitions"]]
    assert carried == ["received", "digitising", "rejected"]
    assert sorted(failing_desk.statuses()) == sorted([*carried, "returned_at_desk"])


# -- results handed back -----------------------------------------------------------------


async def test_a_settlement_of_a_desk_dossier_publishes_returned_at_desk(desk: Desk) -> None:
    accepted = (await desk.client.post("/desks/001/dossiers", json=intake_body())).json()
    await desk.settle(settlement(accepted))
    returned = desk.events("dossier.status.changed")[-1]
    [change] = returned["data"]["transitions"]
    assert (change["status"], change["by"]) == ("returned_at_desk", "one_stop")
    assert "TT-2026-000123" in change["note"]
    assert returned["simtime"] == "2026-03-04T15:00:00+07:00"
    assert returned["correlationid"] == accepted["dossier_id"]


async def test_a_second_settlement_of_the_same_dossier_is_not_returned_twice(desk: Desk) -> None:
    accepted = (await desk.client.post("/desks/001/dossiers", json=intake_body())).json()
    await desk.settle(settlement(accepted))
    await desk.settle(settlement(accepted, outcome=Outcome.REJECTED, reason_code="late"))
    assert desk.statuses().count("returned_at_desk") == 1


async def test_a_settlement_of_an_unknown_dossier_publishes_nothing(desk: Desk) -> None:
    unknown = {"dossier_id": "not-ours", "dossier_code": "001-260302-6000", "unit_code": "001"}
    await desk.settle(settlement(unknown))
    assert desk.events() == []
    assert desk.runtime.messaging.stats["deadletters"] == 0


async def test_a_settlement_of_an_online_dossier_publishes_nothing(desk: Desk) -> None:
    accepted = (await desk.client.post("/desks/001/dossiers", json=intake_body())).json()
    await desk.settle(settlement(accepted, channel=Channel.ONLINE))
    assert "returned_at_desk" not in desk.statuses()


async def test_health_is_ok_once_ready(desk: Desk) -> None:
    desk.runtime.ready.set()
    response = await desk.client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["service"] == "one_stop"


async def test_the_intake_is_published_as_handed_in_with_its_client_ref(desk: Desk) -> None:
    accepted = (await desk.client.post("/desks/001/dossiers", json=intake_body())).json()
    [received] = desk.events("desk.dossier.received")
    assert received["type"] == "vn.portalsim.desk.dossier.received.v2"
    assert received["data"]["dossier_id"] == accepted["dossier_id"]
    assert received["data"]["client_ref"] == "desk-1"
    assert received["data"]["unit_code"] == "001"
    assert received["data"]["received_simtime"] == RECEIVED
    assert received["simtime"] == RECEIVED
    [submitted] = desk.events("dossier.submitted")
    assert submitted["data"]["client_ref"] == "desk-1"


async def test_a_failed_scan_still_publishes_the_intake(failing_desk: Desk) -> None:
    await failing_desk.client.post("/desks/001/dossiers", json=intake_body())
    assert len(failing_desk.events("desk.dossier.received")) == 1
    assert failing_desk.events("dossier.submitted") == []
