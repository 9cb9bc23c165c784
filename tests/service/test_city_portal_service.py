"""The city portal on FastStream's in-memory broker: what it publishes for what it gets."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from faststream.kafka import TestKafkaBroker

from contracts.catalogue import load_catalogue
from contracts.envelope import CloudEvent
from contracts.events import (
    IdentityCheckCompleted,
    IdentityCheckRequested,
    IdentityResult,
    RequesterKind,
)
from contracts.topics import TOPICS
from services.city_portal.app import build_runtime
from services.city_portal.settings import CityPortalSettings
from services.kit.tracing import format_traceparent, span_id_of, trace_id_of
from simulator.drive.driver import PortalAccount
from tests.factories import SIMTIME, applicant, population_record

TOPIC_NAMES = [t.name for t in TOPICS]


@dataclass
class Published:
    records: list[Any] = field(default_factory=list)

    def on(self, topic_name: str) -> list[dict[str, Any]]:
        return [orjson.loads(r.value) for r in self.records if r.topic == topic_name]


async def _raw(msg: Any) -> Any:
    return msg.raw_message


@dataclass
class Portal:
    broker: Any
    http: httpx.AsyncClient
    published: Published

    async def answer_checks(
        self, result: IdentityResult = IdentityResult.MATCH, **extra: Any
    ) -> None:
        """Answer every identity check asked so far as population_db would."""
        for request in self.published.on("identity.check.requested"):
            asked = IdentityCheckRequested.model_validate(request["data"])
            if any(
                a["data"]["check_id"] == asked.check_id
                for a in self.published.on("identity.check.completed")
            ):
                continue
            person = asked.person
            record = population_record(person, asked.id_number)
            completed = IdentityCheckCompleted(
                check_id=asked.check_id,
                requester_kind=asked.requester_kind,
                requester_id=asked.requester_id,
                role=person.role,
                result=result,
                record=record,
                **extra,
            )
            event = CloudEvent[IdentityCheckCompleted](
                id=str(uuid.uuid4()),
                source="/portalsim/population_db",
                type="vn.portalsim.identity.check.completed.v1",
                time=SIMTIME,
                correlationid=asked.requester_id,
                simtime=SIMTIME,
                data=completed,
            )
            await self.broker.publish(event.to_bytes(), "identity.check.completed")


@pytest.fixture
async def portal(
    tmp_path: Path, request: pytest.FixtureRequest, store_settings: dict[str, Any]
) -> AsyncIterator[Portal]:
    overrides = {**store_settings, **getattr(request, "param", {})}
    settings = CityPortalSettings(data_dir=tmp_path, account_check_wait_seconds=0, **overrides)
    runtime = build_runtime(settings)
    published = Published()

    @runtime.broker.subscriber(*TOPIC_NAMES, decoder=_raw)
    async def record(body: Any) -> None:
        published.records.append(body)

    runtime.messaging.subscribe()
    async with TestKafkaBroker(runtime.broker) as broker:
        runtime.ready.set()
        transport = httpx.ASGITransport(app=runtime.http)
        async with httpx.AsyncClient(transport=transport, base_url="http://city") as client:
            yield Portal(broker, client, published)
    runtime.messaging.worker.close()


def citizen_registration() -> dict[str, Any]:
    """The body of a citizen's POST /accounts."""
    person = applicant()
    return {
        "kind": "citizen",
        "id_number": person.id_number,
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex.value,
    }


async def open_citizen_account(portal: Portal) -> PortalAccount:
    answer = (await portal.http.post("/accounts", json=citizen_registration())).json()
    await portal.answer_checks()
    return PortalAccount.from_answer(answer)


def bearer(account: PortalAccount) -> dict[str, str]:
    """The headers of a request by the account's holder."""
    return {"Authorization": f"Bearer {account.token}"}


def dossier_body(account_id: str, procedure_code: str = "1.004194", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "account_id": account_id,
        "procedure_code": procedure_code,
        "unit_code": "001",
        "persons": [applicant().model_dump(mode="json")],
        "submitted_simtime": SIMTIME.isoformat(),
    }
    body.update(extra)
    return body


async def test_a_citizen_account_is_checked_then_activated(portal: Portal) -> None:
    account = await open_citizen_account(portal)
    [registered] = portal.published.on("account.registered")
    assert registered["data"]["status"] == "active"
    answer = await portal.http.get(f"/accounts/{account.account_id}", headers=bearer(account))
    assert answer.json()["status"] == "active"
    [asked] = portal.published.on("identity.check.requested")
    assert asked["data"]["requester_kind"] == RequesterKind.ACCOUNT


FOREIGNER = {
    "kind": "foreigner",
    "passport_number": "C1234567",
    "nationality": "KR",
    "full_name": "Kim Min-jun",
    "birth_date": "1990-01-01",
    "sex": "male",
}


async def test_a_foreigner_is_refused_an_account_by_default(portal: Portal) -> None:
    response = await portal.http.post("/accounts", json=FOREIGNER)
    assert response.status_code == 403
    assert response.json()["reason"] == "foreigners cannot register"


async def test_a_registration_refused_at_once_answers_no_token(portal: Portal) -> None:
    answer = (await portal.http.post("/accounts", json=FOREIGNER)).json()
    assert answer["status"] == "refused"
    assert "token" not in answer and "token_expires_at" not in answer


@pytest.mark.parametrize("portal", [{"foreigners_may_register": True}], indirect=True)
async def test_a_foreigner_gets_an_account_when_the_policy_allows(portal: Portal) -> None:
    response = await portal.http.post("/accounts", json=FOREIGNER)
    assert response.status_code == 201
    assert response.json()["status"] == "active"


async def test_a_national_procedure_is_routed_after_its_identity_check(portal: Portal) -> None:
    account = await open_citizen_account(portal)
    response = await portal.http.post(
        "/dossiers", json=dossier_body(account.account_id, "1.004194"), headers=bearer(account)
    )
    assert response.status_code == 202
    await portal.answer_checks()
    [routed] = portal.published.on("dossier.routed")
    assert routed["data"]["route_to"] == "ministry.public_security"
    statuses = [t["status"] for t in routed["data"]["transitions"]]
    assert statuses == ["received", "identity_check", "routed"]  # kept, then carried


async def test_a_dossier_waiting_for_its_checks_publishes_no_status_change_yet(
    portal: Portal,
) -> None:
    account = await open_citizen_account(portal)
    body = dossier_body(account.account_id, "1.004194")
    response = await portal.http.post("/dossiers", json=body, headers=bearer(account))
    assert portal.published.on("dossier.status.changed") == []
    shown = await portal.http.get(
        f"/dossiers/{response.json()['dossier_code']}", headers=bearer(account)
    )
    assert [entry["status"] for entry in shown.json()["timeline"]] == ["received", "identity_check"]


async def test_a_birth_registration_settles_on_the_city_portal_with_a_new_person(
    portal: Portal,
) -> None:
    account = await open_citizen_account(portal)
    form = {
        "child_full_name": "Nguyễn Văn Bé",
        "child_sex": "male",
        "child_birth_date": "2026-02-27",
    }
    await portal.http.post(
        "/dossiers",
        json=dossier_body(account.account_id, "1.001193", form=form),
        headers=bearer(account),
    )
    await portal.answer_checks()
    [settled] = portal.published.on("dossier.settled")
    assert settled["data"]["outcome"] == "approved"
    assert settled["data"]["settled_by"] == "city_portal"
    assert settled["data"]["civil_status_change"]["kind"] == "birth"
    assert settled["data"]["result_document_number"].startswith("KS-")


async def test_an_identity_mismatch_rejects_the_dossier_naming_the_field(portal: Portal) -> None:
    account = await open_citizen_account(portal)
    await portal.http.post(
        "/dossiers", json=dossier_body(account.account_id), headers=bearer(account)
    )
    await portal.answer_checks(IdentityResult.MISMATCH, mismatched_fields=["full_name"])
    [settled] = portal.published.on("dossier.settled")
    assert settled["data"]["outcome"] == "rejected"
    assert settled["data"]["reason_code"] == "identity_mismatch"
    assert "full_name" in settled["data"]["reason_text"]


async def test_the_dossier_timeline_lists_every_status(portal: Portal) -> None:
    account = await open_citizen_account(portal)
    code = (
        await portal.http.post(
            "/dossiers", json=dossier_body(account.account_id), headers=bearer(account)
        )
    ).json()["dossier_code"]
    await portal.answer_checks()
    view = (await portal.http.get(f"/dossiers/{code}", headers=bearer(account))).json()
    assert [t["status"] for t in view["timeline"]] == ["received", "identity_check", "routed"]
    assert view["status"] == "routed"


async def test_the_same_client_ref_gives_the_same_dossier(portal: Portal) -> None:
    account = await open_citizen_account(portal)
    body = dossier_body(account.account_id, client_ref="ref-1")
    first = (await portal.http.post("/dossiers", json=body, headers=bearer(account))).json()
    second = (await portal.http.post("/dossiers", json=body, headers=bearer(account))).json()
    assert first["dossier_code"] == second["dossier_code"]
    assert len(portal.published.on("dossier.submitted")) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"procedure_code": "9.999999"}, "procedure_code"),
        ({"persons": [applicant(id_number="00108701234X").model_dump(mode="json")]}, "id_number"),
        ({"submitted_simtime": None}, "submitted_simtime"),
        ({"form": "not an object"}, "form"),
        ({"unit_code": "999"}, "unit_code"),
    ],
)
async def test_bad_submissions_get_422_naming_the_field_and_publish_nothing(
    portal: Portal, change: dict[str, Any], field: str
) -> None:
    account = await open_citizen_account(portal)
    before = len(portal.published.records)
    body = {**dossier_body(account.account_id), **change}
    if body["submitted_simtime"] is None:
        del body["submitted_simtime"]
    response = await portal.http.post("/dossiers", json=body, headers=bearer(account))
    assert response.status_code == 422
    assert any(field in map(str, error["loc"]) for error in response.json()["detail"])
    assert len(portal.published.records) == before


async def pending_account(portal: Portal) -> PortalAccount:
    """An account whose identity check is asked and not yet answered."""
    registered = await portal.http.post("/accounts", json=citizen_registration())
    assert registered.status_code == 202  # answered at once, pending
    return PortalAccount.from_answer(registered.json())


async def test_a_dossier_from_a_pending_account_is_held_and_nothing_is_published(
    portal: Portal,
) -> None:
    account = await pending_account(portal)
    response = await portal.http.post(
        "/dossiers", json=dossier_body(account.account_id), headers=bearer(account)
    )
    assert response.status_code == 202 and response.json()["status"] == "held"
    assert portal.published.on("dossier.submitted") == []


async def test_a_held_dossier_goes_on_once_its_account_is_activated(portal: Portal) -> None:
    account = await pending_account(portal)
    body = dossier_body(account.account_id, "1.004194")
    held = await portal.http.post("/dossiers", json=body, headers=bearer(account))
    await portal.answer_checks()  # the account's check: it is released, its own is asked
    await portal.answer_checks()  # the dossier's check: it is routed
    [submitted] = portal.published.on("dossier.submitted")
    assert submitted["data"]["dossier_code"] == held.json()["dossier_code"]
    [routed] = portal.published.on("dossier.routed")
    statuses = [t["status"] for t in routed["data"]["transitions"]]
    assert statuses == ["received", "identity_check", "routed"]


async def test_a_held_dossier_goes_on_in_the_trace_of_the_request_that_handed_it_in(
    portal: Portal,
) -> None:
    account = await pending_account(portal)
    traceparent = format_traceparent(trace_id_of("held-dossier"), span_id_of("applicant"))
    headers = {**bearer(account), "traceparent": traceparent}
    await portal.http.post("/dossiers", json=dossier_body(account.account_id), headers=headers)
    await portal.answer_checks()  # the account's check: the dossier is released
    [submitted] = portal.published.on("dossier.submitted")
    assert submitted["traceparent"] == traceparent


async def test_a_held_dossier_is_rejected_with_the_reason_when_its_account_is_refused(
    portal: Portal,
) -> None:
    account = await pending_account(portal)
    await portal.http.post(
        "/dossiers", json=dossier_body(account.account_id), headers=bearer(account)
    )
    await portal.answer_checks(IdentityResult.MISMATCH, mismatched_fields=["full_name"])
    [settled] = portal.published.on("dossier.settled")
    assert (settled["data"]["outcome"], settled["data"]["reason_code"]) == (
        "rejected",
        "account_refused",
    )
    assert "identity check: mismatch" in settled["data"]["reason_text"]
    assert portal.published.on("identity.check.requested")[1:] == []  # the dossier's: none


async def test_a_refused_accounts_dossier_is_rejected_on_receipt_as_a_held_one_is(
    portal: Portal,
) -> None:
    account = await pending_account(portal)
    await portal.answer_checks(IdentityResult.NOT_FOUND)
    response = await portal.http.post(
        "/dossiers", json=dossier_body(account.account_id), headers=bearer(account)
    )
    assert response.status_code == 202
    [settled] = portal.published.on("dossier.settled")
    assert (settled["data"]["outcome"], settled["data"]["reason_code"]) == (
        "rejected",
        "account_refused",
    )


async def test_the_catalogue_is_served_with_every_procedure_and_its_portal(portal: Portal) -> None:
    procedures = (await portal.http.get("/procedures")).json()
    served = [(p["code"], p["settled_by"]) for p in procedures]
    assert served == [(p.code, p.settled_by) for p in load_catalogue().procedures]


async def test_healthz_answers_ok_once_consuming(portal: Portal) -> None:
    assert (await portal.http.get("/healthz")).json()["status"] == "ok"


async def test_accounts_and_submissions_carry_the_callers_client_ref(portal: Portal) -> None:
    person = applicant()
    body = {
        "kind": "citizen",
        "client_ref": "holder-1",
        "id_number": person.id_number,
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex.value,
    }
    account = PortalAccount.from_answer((await portal.http.post("/accounts", json=body)).json())
    await portal.answer_checks()
    [registered] = portal.published.on("account.registered")
    assert registered["type"] == "vn.portalsim.account.registered.v2"
    assert registered["data"]["client_ref"] == "holder-1"
    await portal.http.post(
        "/dossiers",
        json=dossier_body(account.account_id, client_ref="ref-7"),
        headers=bearer(account),
    )
    [submitted] = portal.published.on("dossier.submitted")
    assert submitted["type"] == "vn.portalsim.dossier.submitted.v2"
    assert submitted["data"]["client_ref"] == "ref-7"


@pytest.mark.parametrize("portal", [{"foreigners_may_register": True}], indirect=True)
async def test_a_foreigners_account_carries_its_client_ref(portal: Portal) -> None:
    await portal.http.post("/accounts", json={**FOREIGNER, "client_ref": "visitor-1"})
    [registered] = portal.published.on("account.registered")
    assert registered["data"]["client_ref"] == "visitor-1"
