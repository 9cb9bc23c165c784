"""The city portal's HTTP API: submissions, dossier status and timeline, catalogue, stats.

Accounts are in `accounts_api`; who may call what is decided by bearer tokens (`callers`).
"""

# No `from __future__ import annotations`: the routes' annotations name dependencies
# local to the router's function, which FastAPI could not resolve from strings.

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException
from fastapi import Path as PathParam

from contracts.catalogue import Catalogue
from contracts.dossier_codes import format_dossier_code
from contracts.dossier_ids import SEQUENCE_BLOCKS, dossier_id_for
from contracts.events import AccountStatus, Channel, DossierSubmitted
from contracts.id_numbers import IdNumberError, parse_id_number
from contracts.units import is_hanoi_unit
from contracts.worktime import HANOI_TZ
from services.city_portal.accounts_api import accounts_router
from services.city_portal.callers import Caller, CallerChecks
from services.city_portal.http_models import DossierAccepted, DossierRequest, unprocessable
from services.city_portal.settings import CityPortalSettings
from services.city_portal.store import CityPortalStore
from services.kit import ServiceMessaging, derived_event_id
from services.kit.public_api import official_check

__all__ = ["city_portal_router"]


def city_portal_router(
    settings: CityPortalSettings, messaging: ServiceMessaging, catalogue: Catalogue
) -> APIRouter:
    """The city portal's routes."""
    router = APIRouter()
    store: CityPortalStore = messaging.store  # type: ignore[assignment]
    factory = messaging.factory
    checks = CallerChecks(settings, messaging.worker, store)
    router.include_router(accounts_router(settings, messaging, checks))

    def accept(body: DossierRequest, account_id: str) -> tuple[str, str, str]:
        account = store.account(account_id)
        if account is None:
            raise HTTPException(404, detail=f"account_id {account_id!r} is unknown")
        if account["status"] != AccountStatus.ACTIVE:
            raise HTTPException(
                409, detail=f"account_id {account_id!r} is {account['status']}, not active"
            )
        dossier_id = dossier_id_for(
            Channel.ONLINE, body.client_ref and f"{account_id}:{body.client_ref}"
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
                account_id=account_id,
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
                account_id,
            )
            store.add_outbox([record])
            store.commit()
        except BaseException:
            store.rollback()
            raise
        return dossier_id, code, "received"

    @router.post(
        "/dossiers",
        status_code=202,
        response_model=DossierAccepted,
        summary="Submit a dossier, as the holder of the bearer token's account",
    )
    async def post_dossier(
        body: DossierRequest, account_id: Annotated[str, Depends(checks.account_holder)]
    ) -> DossierAccepted:
        if body.account_id is not None and body.account_id != account_id:
            raise HTTPException(403, detail="account_id is not the bearer token's account")
        try:
            catalogue.by_code(body.procedure_code)
        except KeyError:
            raise unprocessable(
                ["procedure_code"], f"unknown procedure code {body.procedure_code!r}"
            ) from None
        if not is_hanoi_unit(body.unit_code):
            raise unprocessable(["unit_code"], f"{body.unit_code!r} is not a Hanoi unit")
        for index, person in enumerate(body.persons):
            if person.id_number is not None:
                try:
                    parse_id_number(person.id_number)
                except IdNumberError as exc:
                    raise unprocessable(["persons", index, "id_number"], str(exc)) from None
        dossier_id, code, status = await messaging.worker.run(accept, body, account_id)
        await messaging.flush_outbox()
        return DossierAccepted(
            dossier_id=dossier_id, dossier_code=code, status=status, status_url=f"/dossiers/{code}"
        )

    def dossier_view(code: str, caller: Caller) -> dict[str, Any] | None:
        row = store.dossier_by_code(code) or store.dossier(code)
        if row is None or not caller.may_read(row["account_id"]):
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

    @router.get(
        "/dossiers/{code}",
        summary="A dossier's status and full timeline (its applicant or an official)",
    )
    async def get_dossier(
        code: Annotated[str, PathParam(max_length=64)],
        caller: Annotated[Caller, Depends(checks.caller)],
    ) -> dict[str, Any]:
        # another applicant's dossier is answered exactly like an unknown one
        view = await messaging.worker.run(dossier_view, code, caller)
        if view is None:
            raise HTTPException(404, detail=f"dossier {code!r} is unknown")
        return view

    @router.get("/procedures", summary="The catalogue of the 25 procedures, with routing")
    async def get_procedures() -> list[dict[str, Any]]:
        return [p.model_dump(mode="json") for p in catalogue.procedures]

    @router.get(
        "/stats",
        summary="Dossiers by status (officials)",
        dependencies=[Depends(official_check(settings))],
    )
    async def get_stats() -> dict[str, int]:
        return await messaging.worker.run(store.counts_by_status)

    return router
