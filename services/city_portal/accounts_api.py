"""The city portal's account routes: registration (which issues a token) and the holder's view.

Registering again with the same `client_ref` and the same declared identity is the
same account: it gets a new token (older ones keep working until they expire). The
same `client_ref` with another identity is refused with 409, so knowing someone's
reference does not give their account. A refused account gets no token. Thin routes
over the use cases (`use_cases`).
"""

# No `from __future__ import annotations`: the routes' annotations name dependencies
# local to the router's function, which FastAPI could not resolve from strings.

import asyncio
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi import Path as PathParam

from contracts.events import AccountKind, AccountStatus
from services.city_portal.callers import CallerChecks
from services.city_portal.http_models import AccountAnswer, AccountRequest, unprocessable
from services.city_portal.records import Account
from services.city_portal.settings import CityPortalSettings
from services.city_portal.store import CityPortalStore
from services.city_portal.use_cases import (
    ClientRefTakenError,
    account_of,
    open_account,
)
from services.kit import ServiceMessaging
from services.kit.http_types import BODY_REFUSALS, refusals
from services.kit.tokens import IssuedToken

__all__ = ["accounts_router"]

#: The answers carrying an account, besides the route's own status (201, active).
_ACCOUNT_ANSWERS: dict[int | str, dict[str, Any]] = {
    202: {"model": AccountAnswer, "description": "Pending: its identity check is not answered."},
    403: {"model": AccountAnswer, "description": "Refused (no token); `reason` says why."},
}


def accounts_router(
    settings: CityPortalSettings,
    messaging: ServiceMessaging,
    store: CityPortalStore,
    checks: CallerChecks,
) -> APIRouter:
    """`POST /accounts` and `GET /accounts/{account_id}`."""
    router = APIRouter(tags=["accounts"])
    worker = messaging.worker

    async def checked(account: Account) -> Account:
        """The account once its identity check is answered (or the wait is over)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + settings.account_check_wait_seconds
        while account.status == AccountStatus.PENDING and loop.time() < deadline:
            await asyncio.sleep(0.02)
            latest = await worker.run(account_of, store, account.account_id)
            account = latest or account
        return account

    @router.post(
        "/accounts",
        status_code=201,
        summary="Open a portal account; the answer carries its bearer token",
        response_model=AccountAnswer,
        response_model_exclude_unset=True,
        response_description="Active; the answer carries its token.",
        responses=_ACCOUNT_ANSWERS
        | refusals(*BODY_REFUSALS, why={409: "client_ref used by another registration."}),
    )
    async def post_account(body: AccountRequest, response: Response) -> dict[str, Any]:
        if body.kind == AccountKind.CITIZEN and not body.id_number:
            raise unprocessable(["id_number"], "a citizen registers with an ID number")
        if body.kind == AccountKind.FOREIGNER and not body.passport_number:
            raise unprocessable(["passport_number"], "a foreigner registers with a passport number")
        try:
            opened = await messaging.requests.run(
                open_account,
                store,
                messaging.factory,
                body,
                foreigners_may_register=settings.foreigners_may_register,
                token_ttl=timedelta(seconds=settings.token_ttl_seconds),
            )
        except ClientRefTakenError as exc:
            raise HTTPException(409, detail=str(exc)) from None
        account = await checked(opened.account)
        # refused while the answer waited: its token is not handed out (nobody ever has it)
        issued = opened.token if account.status != AccountStatus.REFUSED else None
        return _account_answer(account, response, issued)

    @router.get(
        "/accounts/{account_id}",
        summary="An account and its status (its holder only); the status code says it as "
        "registration does: 201 active, 202 pending, 403 refused",
        status_code=201,
        response_model=AccountAnswer,
        response_model_exclude_unset=True,
        response_description="Active.",
        responses=_ACCOUNT_ANSWERS
        | refusals(401, 422, why={404: "No account of the token's holder has this id."}),
    )
    async def get_account(
        account_id: Annotated[str, PathParam(max_length=64)],
        holder: Annotated[str, Depends(checks.account_holder)],
        response: Response,
    ) -> dict[str, Any]:
        account = await worker.run(account_of, store, account_id) if holder == account_id else None
        if account is None:
            raise HTTPException(404, detail=f"account_id {account_id!r} is unknown")
        return _account_answer(account, response)

    return router


def _account_answer(
    account: Account, response: Response, issued: IssuedToken | None = None
) -> dict[str, Any]:
    response.status_code = {"active": 201, "pending": 202, "refused": 403}.get(account.status, 200)
    answer: dict[str, Any] = {
        "account_id": account.account_id,
        "kind": account.kind.value,
        "status": account.status.value,
        "reason": account.reason,
    }
    if issued is not None:
        answer["token"] = issued.token
        answer["token_expires_at"] = issued.expires_at.isoformat()
    return answer
