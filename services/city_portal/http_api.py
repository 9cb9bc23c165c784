"""The city portal's HTTP API: accounts, submissions, dossier status and timeline, catalogue."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson
from fastapi import APIRouter, HTTPException, Response

from contracts.catalogue import Catalogue
from contracts.dossier_codes import format_dossier_code
from contracts.dossier_ids import SEQUENCE_BLOCKS, dossier_id_for
from contracts.envelope import utc_now
from contracts.events import (
    AccountKind,
    AccountRegistered,
    AccountStatus,
    Channel,
    DossierSubmitted,
    IdentityCheckRequested,
    RequesterKind,
)
from contracts.id_numbers import IdNumberError, parse_id_number
from contracts.units import is_hanoi_unit
from contracts.worktime import HANOI_TZ
from services.city_portal.http_models import (
    AccountRequest,
    DossierAccepted,
    DossierRequest,
    field_error,
)
from services.city_portal.settings import CityPortalSettings
from services.city_portal.store import CityPortalStore
from services.kit import ServiceMessaging, derived_event_id

__all__ = ["city_portal_router"]

ACCOUNT_NAMESPACE = uuid.UUID("4d3c1b2a-7e6f-4a5b-8c9d-0e1f2a3b4c5d")


def _unprocessable(loc: list[Any], message: str) -> HTTPException:
    return HTTPException(422, detail=[field_error(["body", *loc], message)])


def city_portal_router(
    settings: CityPortalSettings, messaging: ServiceMessaging, catalogue: Catalogue
) -> APIRouter:
    """The city portal's routes."""
    router = APIRouter()
    store: CityPortalStore = messaging.store  # type: ignore[assignment]
    factory = messaging.factory

    def open_account(body: AccountRequest, account_id: str) -> dict[str, Any]:
        existing = store.account(account_id)
        if existing is not None:
            return existing
        person = body.person()
        refused = body.kind == AccountKind.FOREIGNER and not settings.foreigners_may_register
        if body.kind == AccountKind.FOREIGNER:
            status = AccountStatus.REFUSED if refused else AccountStatus.ACTIVE
            reason = "foreigners cannot register" if refused else None
            payload: Any = AccountRegistered(
                account_id=account_id,
                kind=body.kind,
                status=status,
                reason=reason,
                person=person,
                client_ref=body.client_ref,
            )
            topic_name = "account.registered"
        else:
            status, reason = AccountStatus.PENDING, None
            payload = IdentityCheckRequested(
                check_id=f"{account_id}:applicant",
                requester_kind=RequesterKind.ACCOUNT,
                requester_id=account_id,
                id_number=body.id_number or "",
                person=person,
            )
            topic_name = "identity.check.requested"
        record = factory.record(
            topic_name,
            payload,
            event_id=derived_event_id(account_id, 0, "city_portal"),
            correlation_id=account_id,
            simtime=utc_now().astimezone(HANOI_TZ),
        )
        store.begin()
        try:
            store.put_account(
                account_id,
                body.kind.value,
                status.value,
                person.model_dump(mode="json"),
                reason,
                body.client_ref,
            )
            store.add_outbox([record])
            store.commit()
        except BaseException:
            store.rollback()
            raise
        return store.account(account_id) or {}

    @router.post("/accounts", status_code=201, summary="Open a portal account")
    async def post_account(body: AccountRequest, response: Response) -> dict[str, Any]:
        if body.kind == AccountKind.CITIZEN and not body.id_number:
            raise _unprocessable(["id_number"], "a citizen registers with an ID number")
        if body.kind == AccountKind.FOREIGNER and not body.passport_number:
            raise _unprocessable(
                ["passport_number"], "a foreigner registers with a passport number"
            )
        key = body.client_ref or uuid.uuid4().hex
        account_id = str(uuid.uuid5(ACCOUNT_NAMESPACE, f"{body.kind}:{key}"))
        account = await messaging.worker.run(open_account, body, account_id)
        await messaging.flush_outbox()
        deadline = asyncio.get_running_loop().time() + settings.account_check_wait_seconds
        while (
            account["status"] == AccountStatus.PENDING
            and asyncio.get_running_loop().time() < deadline
        ):
            await asyncio.sleep(0.02)
            account = await messaging.worker.run(store.account, account_id) or account
        return _account_answer(account, response)

    @router.get("/accounts/{account_id}", summary="An account and its status")
    async def get_account(account_id: str, response: Response) -> dict[str, Any]:
        account = await messaging.worker.run(store.account, account_id)
        if account is None:
            raise HTTPException(404, detail=f"account_id {account_id!r} is unknown")
        return _account_answer(account, response)

    def accept(body: DossierRequest) -> tuple[str, str, str]:
        account = store.account(body.account_id)
        if account is None:
            raise HTTPException(404, detail=f"account_id {body.account_id!r} is unknown")
        if account["status"] != AccountStatus.ACTIVE:
            raise HTTPException(
                409, detail=f"account_id {body.account_id!r} is {account['status']}, not active"
            )
        dossier_id = dossier_id_for(
            Channel.ONLINE, body.client_ref and f"{body.account_id}:{body.client_ref}"
        )
        existing = store.dossier(dossier_id)
        if existing is not None:
            return dossier_id, existing["dossier_code"], existing["status"]
        day = body.submitted_simtime.astimezone(HANOI_TZ).date()
        first, last = SEQUENCE_BLOCKS[Channel.ONLINE]
        store.begin()
        try:
            number = store.next_sequence(body.unit_code, day, first)
            if number > last:
                raise HTTPException(
                    429, detail=f"unit_code {body.unit_code}: no dossier codes left for {day}"
                )
            code = format_dossier_code(body.unit_code, day, number)
            submission = DossierSubmitted(
                dossier_id=dossier_id,
                dossier_code=code,
                procedure_code=body.procedure_code,
                channel=Channel.ONLINE,
                account_id=body.account_id,
                received_unit=body.unit_code,
                persons=body.persons,
                form=body.form,
                received_simtime=body.submitted_simtime,
                client_ref=body.client_ref,
            )
            record = factory.record(
                "dossier.submitted",
                submission,
                event_id=derived_event_id(dossier_id, 0, "city_portal"),
                correlation_id=dossier_id,
                simtime=body.submitted_simtime,
                subject=dossier_id,
            )
            store.add_dossier(
                dossier_id,
                code,
                body.procedure_code,
                Channel.ONLINE.value,
                None,
                submission.model_dump_json().encode(),
            )
            store.add_outbox([record])
            store.commit()
        except BaseException:
            store.rollback()
            raise
        return dossier_id, code, "received"

    @router.post(
        "/dossiers", status_code=202, response_model=DossierAccepted, summary="Submit a dossier"
    )
    async def post_dossier(body: DossierRequest) -> DossierAccepted:
        try:
            catalogue.by_code(body.procedure_code)
        except KeyError:
            raise _unprocessable(
                ["procedure_code"], f"unknown procedure code {body.procedure_code!r}"
            ) from None
        if not is_hanoi_unit(body.unit_code):
            raise _unprocessable(["unit_code"], f"{body.unit_code!r} is not a Hanoi unit")
        for index, person in enumerate(body.persons):
            if person.id_number is not None:
                try:
                    parse_id_number(person.id_number)
                except IdNumberError as exc:
                    raise _unprocessable(["persons", index, "id_number"], str(exc)) from None
        dossier_id, code, status = await messaging.worker.run(accept, body)
        await messaging.flush_outbox()
        return DossierAccepted(
            dossier_id=dossier_id, dossier_code=code, status=status, status_url=f"/dossiers/{code}"
        )

    def dossier_view(code: str) -> dict[str, Any] | None:
        row = store.dossier_by_code(code) or store.dossier(code)
        if row is None:
            return None
        settlement = orjson.loads(row["settlement"]) if row["settlement"] else None
        return {
            "dossier_id": row["dossier_id"],
            "dossier_code": row["dossier_code"],
            "procedure_code": row["procedure_code"],
            "channel": row["channel"],
            "parent_dossier_id": row["parent_dossier_id"],
            "status": row["status"],
            "settlement": settlement,
            "new_id_number": row["new_id_number"],
            "timeline": store.timeline(row["dossier_id"]),
        }

    @router.get("/dossiers/{code}", summary="A dossier's status and full timeline")
    async def get_dossier(code: str) -> dict[str, Any]:
        view = await messaging.worker.run(dossier_view, code)
        if view is None:
            raise HTTPException(404, detail=f"dossier {code!r} is unknown")
        return view

    @router.get("/procedures", summary="The catalogue of the 25 procedures, with routing")
    async def get_procedures() -> list[dict[str, Any]]:
        return [p.model_dump(mode="json") for p in catalogue.procedures]

    @router.get("/stats", summary="Dossiers by status")
    async def get_stats() -> dict[str, int]:
        return await messaging.worker.run(store.counts_by_status)

    return router


def _account_answer(account: dict[str, Any], response: Response) -> dict[str, Any]:
    status = account["status"]
    response.status_code = {"active": 201, "pending": 202, "refused": 403}.get(status, 200)
    return {
        "account_id": account["account_id"],
        "kind": account["kind"],
        "status": status,
        "reason": account["reason"],
    }
