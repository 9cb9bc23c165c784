"""The national portal on FastStream's in-memory broker: what it publishes for what it gets."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from contracts.catalogue import Portal, load_catalogue
from contracts.dossier_ids import step_dossier_id
from contracts.events import (
    Channel,
    DossierRouted,
    DossierSettled,
    DossierSubmitted,
    Outcome,
    PopulationRecordChanged,
    RecordChange,
)
from contracts.people import MaritalStatus, PersonFacts, PersonRole, Sex
from contracts.topics import topic
from tests.factories import SIMTIME, applicant, envelope
from tests.service.national import Service, national_portal, routed

CATALOGUE = load_catalogue()
CHILD_ID = "001226000123"
BIRTH_FORM = {
    "child_full_name": "Nguyễn Thị Bình",
    "child_sex": "female",
    "child_birth_date": "2026-02-20",
    "residence_unit": "00502",
}


@pytest.fixture
async def service(
    tmp_path: Path, request: pytest.FixtureRequest, store_settings: dict[str, Any]
) -> AsyncIterator[Service]:
    async with national_portal(
        tmp_path, **store_settings, **getattr(request, "param", {})
    ) as running:
        yield running


def birth_group() -> DossierRouted:
    persons = [applicant(), applicant(role=PersonRole.FATHER)]
    return routed(15, persons=persons, form=BIRTH_FORM, received_unit="00101")


def step_settled(
    step: dict[str, Any], outcome: Outcome = Outcome.APPROVED, **kw: Any
) -> DossierSettled:
    """A step's settlement as the city portal would publish it."""
    data = step["data"]
    values: dict[str, Any] = {
        "dossier_id": data["dossier_id"],
        "dossier_code": data["dossier_code"],
        "procedure_code": data["procedure_code"],
        "channel": Channel.LINKED,
        "received_unit": data["received_unit"],
        "parent_dossier_id": data["parent_dossier_id"],
        "outcome": outcome,
        "settled_by": Portal.CITY_PORTAL,
        "result_document_number": "KS-2026-000001" if outcome is Outcome.APPROVED else None,
        "received_simtime": SIMTIME,
        "settled_simtime": SIMTIME + timedelta(minutes=10),
        "working_days_taken": 0.02,
    }
    values.update(kw)
    return DossierSettled(**values)


def child_born(birth_step_id: str) -> PopulationRecordChanged:
    record = PersonFacts(
        id_number=CHILD_ID,
        full_name="Nguyễn Thị Bình",
        birth_date=date(2026, 2, 20),
        sex=Sex.FEMALE,
        alive=True,
        marital_status=MaritalStatus.SINGLE,
        residence_unit="00502",
    )
    return PopulationRecordChanged(
        id_number=CHILD_ID, change=RecordChange.BORN, dossier_id=birth_step_id, record=record
    )


async def test_a_routed_ministry_dossier_is_processed_then_settled_and_approved(
    service: Service,
) -> None:
    dossier = routed(4)
    await service.send("dossier.routed", dossier)
    by = "ministry.public_security"
    assert service.statuses(dossier.dossier_id) == [("processing", by), ("approved", by)]
    [settled] = service.settled(dossier.dossier_id)
    assert settled["data"]["settled_by"] == by
    assert settled["data"]["legal_limit_days"] == 3
    assert settled["data"]["within_legal_limit"] is True
    assert settled["simtime"] == settled["data"]["settled_simtime"]
    assert settled["correlationid"] == dossier.dossier_id
    view = (await service.http.get(f"/dossiers/{dossier.dossier_id}")).json()
    assert (view["route_to"], view["handled_by"], view["status"]) == (by, by, "approved")


async def test_a_redelivered_routing_is_settled_once(service: Service) -> None:
    dossier = routed(22)
    event = envelope(dossier, type=topic("dossier.routed").event_type)
    await service.broker.publish(event.to_bytes(), "dossier.routed")
    await service.broker.publish(event.to_bytes(), "dossier.routed")
    await service.send("dossier.routed", dossier)
    assert len(service.settled(dossier.dossier_id)) == 1


async def test_a_dossier_with_an_unknown_procedure_is_dead_lettered(service: Service) -> None:
    dossier = routed(4)
    sub = dossier.submission.model_copy(update={"procedure_code": "9.999999"})
    await service.send("dossier.routed", dossier.model_copy(update={"submission": sub}))
    [dead] = [r for r in service.records if r.topic == "deadletter.dossier.routed"]
    assert dict(dead.headers)["deadletter.reason"] == b"invalid_payload"
    assert b"unknown procedure code" in dict(dead.headers)["deadletter.detail"]
    assert service.on("dossier.settled") == []


async def test_a_routed_birth_group_awaits_its_steps_and_submits_the_birth(
    service: Service,
) -> None:
    group = birth_group()
    await service.send("dossier.routed", group)
    assert service.statuses(group.dossier_id) == [("awaiting_steps", "national_portal")]
    [step] = service.on("dossier.submitted")
    assert step["correlationid"] == group.dossier_id
    sub = DossierSubmitted.model_validate(step["data"])
    assert (sub.channel, sub.parent_dossier_id, sub.step_index) == (
        Channel.LINKED,
        group.dossier_id,
        0,
    )
    assert sub.procedure_code == CATALOGUE.by_number(9).code
    assert sub.dossier_code == "00101-260302-9000"
    handed_on = (await service.http.get(f"/dossiers/{sub.dossier_id}")).json()
    assert (handed_on["status"], handed_on["parent_dossier_id"]) == ("submitted", group.dossier_id)
    later = (await service.http.get(f"/dossiers/{step_dossier_id(group.dossier_id, 2)}")).json()
    assert (later["status"], later["step_index"]) == ("pending", 2)


async def _birth_then_residence(service: Service, record_first: bool) -> dict[str, Any]:
    group = birth_group()
    await service.send("dossier.routed", group)
    [birth] = service.on("dossier.submitted")
    inputs = [
        ("dossier.settled", step_settled(birth)),
        ("population.record.changed", child_born(birth["data"]["dossier_id"])),
    ]
    for topic_name, payload in reversed(inputs) if record_first else inputs:
        assert len(service.on("dossier.submitted")) == 1
        await service.send(topic_name, payload)
    _birth, residence = service.on("dossier.submitted")
    return residence


@pytest.mark.parametrize("record_first", [False, True])
async def test_the_birth_settlement_and_the_child_record_start_the_residence_step(
    service: Service, record_first: bool
) -> None:
    residence = await _birth_then_residence(service, record_first)
    sub = DossierSubmitted.model_validate(residence["data"])
    assert sub.procedure_code == CATALOGUE.by_number(3).code
    assert sub.step_index == 1
    assert [p.id_number for p in sub.persons] == ["001087012345", CHILD_ID]
    assert sub.form == {"new_residence_unit": "00502"}
    assert sub.dossier_code == "00101-260302-9001"


async def test_the_birth_group_settles_its_parent_when_all_steps_are_approved(
    service: Service,
) -> None:
    residence = await _birth_then_residence(service, record_first=False)
    sub = DossierSubmitted.model_validate(residence["data"])
    parent_id = sub.parent_dossier_id or ""
    routed_step = DossierRouted(
        dossier_id=sub.dossier_id,
        route_to=Portal.MINISTRY_PUBLIC_SECURITY,
        submission=sub,
        routed_simtime=sub.received_simtime,
    )
    await service.send("dossier.routed", routed_step, correlationid=parent_id)
    [residence_settled] = service.settled(sub.dossier_id)
    assert residence_settled["data"]["civil_status_change"]["id_number"] == CHILD_ID
    [parent] = service.settled(parent_id)
    assert parent["data"]["outcome"] == "approved"
    assert parent["data"]["settled_by"] == "national_portal"
    assert parent["data"]["result_document_number"].startswith("LT-2026-")
    assert service.statuses(parent_id)[-1] == ("approved", "national_portal")
    group = (await service.http.get(f"/groups/{parent_id}")).json()
    assert [s["status"] for s in group["steps"]] == ["approved"] * 3
    assert group["child_id_number"] == CHILD_ID
    assert group["steps"][2]["settled_by"] == "ministry.social_insurance"
    view = (await service.http.get(f"/dossiers/{parent_id}")).json()
    assert view["outcome"] == "approved"
    assert view["group"]["status"] == "approved"


async def test_a_rejected_step_rejects_the_parent_with_its_reason(service: Service) -> None:
    group = birth_group()
    await service.send("dossier.routed", group)
    [birth] = service.on("dossier.submitted")
    rejection = step_settled(
        birth,
        Outcome.REJECTED,
        reason_code="identity_mismatch",
        reason_text="The declared sex of the father differ from the population record.",
    )
    await service.send("dossier.settled", rejection)
    [parent] = service.settled(group.dossier_id)
    assert parent["data"]["outcome"] == "rejected"
    assert parent["data"]["reason_code"] == "identity_mismatch"
    assert parent["data"]["reason_text"].startswith("Birth registration: The declared sex")
    assert service.statuses(group.dossier_id)[-1] == ("rejected", "national_portal")
    await service.send("population.record.changed", child_born(birth["data"]["dossier_id"]))
    assert len(service.on("dossier.submitted")) == 1


async def test_a_death_group_runs_its_internal_steps_after_the_death_registration(
    service: Service,
) -> None:
    deceased = applicant(role=PersonRole.DECEASED, id_number="001040000111")
    group = routed(16, persons=[applicant(), deceased], form={"date_of_death": "2026-02-28"})
    await service.send("dossier.routed", group)
    [death] = service.on("dossier.submitted")
    await service.send("dossier.settled", step_settled(death))
    ours = [e for e in service.on("dossier.settled") if e["source"].endswith("national_portal")]
    assert [e["data"]["settled_by"] for e in ours] == [
        "ministry.public_security",
        "ministry.labour",
        "national_portal",
    ]
    [parent] = service.settled(group.dossier_id)
    assert parent["data"]["outcome"] == "approved"


async def test_settlements_that_are_not_steps_of_its_groups_are_ignored(
    service: Service,
) -> None:
    settled = DossierSettled(
        dossier_id=str(uuid.uuid4()),
        dossier_code="001-260302-0001",
        procedure_code="1.001193",
        channel=Channel.ONLINE,
        received_unit="001",
        parent_dossier_id=str(uuid.uuid4()),
        outcome=Outcome.APPROVED,
        settled_by=Portal.CITY_PORTAL,
        received_simtime=SIMTIME,
        settled_simtime=SIMTIME,
        working_days_taken=0.0,
    )
    await service.send("dossier.settled", settled)
    await service.send("dossier.settled", settled.model_copy(update={"parent_dossier_id": None}))
    assert [r.topic for r in service.records] == ["dossier.settled", "dossier.settled"]


async def test_unknown_dossiers_and_groups_answer_404(service: Service) -> None:
    missing = str(uuid.uuid4())
    dossier = await service.http.get(f"/dossiers/{missing}")
    group = await service.http.get(f"/groups/{missing}")
    assert (dossier.status_code, group.status_code) == (404, 404)
    assert "dossier_id" in dossier.json()["detail"]


async def test_healthz_answers_ok_once_ready(service: Service) -> None:
    response = await service.http.get("/healthz")
    assert response.status_code == 200
    assert response.json()["service"] == "national_portal"
