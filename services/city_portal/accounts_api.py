"""The city portal's account routes: registration (which issues a token) and the holder's view.

Registering again with the same `client_ref` and the same declared identity is the
same account: it gets a new token (older ones keep working until they expire). The
same `client_ref` with another identity is refused with 409, so knowing someone's
reference does not give their account. A refused account gets no token.
"""

# No `from __future__ import annotations`: the routes' annotations name dependencies
# local to the router's function, which FastAPI could not resolve from strings.

import asyncio
import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi import Path as PathParam

from contracts.envelope import utc_now
from contracts.events import (
    AccountKind,
    AccountRegistered,
    AccountStatus,
    IdentityCheckRequested,
    RequesterKind,
)
from contracts.worktime import HANOI_TZ
from services.city_portal.callers import CallerChecks
from services.city_portal.http_models import AccountRequest, unprocessable
from services.city_portal.settings import CityPortalSettings
from services.city_portal.store import CityPortalStore
from services.kit import ServiceMessaging, derived_event_id
from services.kit.tokens import IssuedToken, issue_token

__all__ = ["accounts_router"]

ACCOUNT_NAMESPACE = uuid.UUID("4d3c1b2a-7e6f-4a5b-8c9d-0e1f2a3b4c5d")


def accounts_router(
    settings: CityPortalSettings, messaging: ServiceMessaging, checks: CallerChecks
) -> APIRouter:
    """`POST /accounts` and `GET /accounts/{account_id}`."""
    router = APIRouter(tags=["accounts"])
    store: CityPortalStore = messaging.store  # type: ignore[assignment]
    factory = messaging.factory

    def open_account(body: AccountRequest, account_id: str) -> dict[str, Any]:
        person = body.person()
        existing = store.account(account_id)
        if existing is not None:
            if existing["kind"] != body.kind or existing["person"] != person.model_dump(
                mode="json"
            ):
                raise HTTPException(
                    409, detail="client_ref is already used by another registration"
                )
            return existing
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

    @router.post(
        "/accounts",
        status_code=201,
        summary="Open a portal account; the answer carries its bearer token",
        responses={409: {"description": "client_ref used by another registration"}},
    )
    async def post_account(body: AccountRequest, response: Response) -> dict[str, Any]:
        if body.kind == AccountKind.CITIZEN and not body.id_number:
            raise unprocessable(["id_number"], "a citizen registers with an ID number")
        if body.kind == AccountKind.FOREIGNER and not body.passport_number:
            raise unprocessable(["passport_number"], "a foreigner registers with a passport number")
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
            latest: dict[str, Any] | None = await messaging.worker.run(store.account, account_id)
            account = latest or account
        issued = None
        if account["status"] != AccountStatus.REFUSED:
            issued = issue_token(timedelta(seconds=settings.token_ttl_seconds))
            await messaging.worker.run(
                store.add_token, issued.sha256, account_id, issued.expires_at
            )
        return _account_answer(account, response, issued)

    @router.get("/accounts/{account_id}", summary="An account and its status (its holder only)")
    async def get_account(
        account_id: Annotated[str, PathParam(max_length=64)],
        holder: Annotated[str, Depends(checks.account_holder)],
        response: Response,
    ) -> dict[str, Any]:
        account = None
        if holder == account_id:
            account = await messaging.worker.run(store.account, account_id)
        if account is None:
            raise HTTPException(404, detail=f"account_id {account_id!r} is unknown")
        return _account_answer(account, response)

    return router


def _account_answer(
    account: dict[str, Any], response: Response, issued: IssuedToken | None = None
) -> dict[str, Any]:
    status = account["status"]
    response.status_code = {"active": 201, "pending": 202, "refused": 403}.get(status, 200)
    answer = {
        "account_id": account["account_id"],
        "kind": account["kind"],
        "status": status,
        "reason": account["reason"],
    }
    if issued is not None:
        answer["token"] = issued.token
        answer["token_expires_at"] = issued.expires_at.isoformat()
    return answer
