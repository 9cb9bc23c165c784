"""The city portal's HTTP API: submissions, dossier status and timeline, catalogue, stats.

Accounts are in `accounts_api`; who may call what is decided by bearer tokens (`callers`).
Thin routes: each parses, authorises, runs one use case (`use_cases`) on the store
worker, and turns its result or refusal into an answer.
"""

# No `from __future__ import annotations`: the routes' annotations name dependencies
# local to the router's function, which FastAPI could not resolve from strings.

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi import Path as PathParam

from contracts.catalogue import Catalogue
from services.city_portal.accounts_api import accounts_router
from services.city_portal.callers import Caller, CallerChecks
from services.city_portal.http_models import (
    DossierAccepted,
    DossierRequest,
    DossierView,
    unprocessable,
)
from services.city_portal.settings import CityPortalSettings
from services.city_portal.store import CityPortalStore
from services.city_portal.use_cases import (
    DossierCodesExhaustedError,
    InvalidFieldError,
    UnknownAccountError,
    dossier_counts,
    dossier_view,
    submit_dossier,
)
from services.kit import ServiceMessaging
from services.kit.http_types import BODY_REFUSALS, refusals
from services.kit.public_api import official_check

__all__ = ["city_portal_router"]


def city_portal_router(
    settings: CityPortalSettings,
    messaging: ServiceMessaging,
    store: CityPortalStore,
    catalogue: Catalogue,
) -> APIRouter:
    """The city portal's routes (`messaging` is the service's, `store` its store)."""
    router = APIRouter()
    worker = messaging.worker
    checks = CallerChecks(settings, worker, store)
    router.include_router(accounts_router(settings, messaging, store, checks))

    @router.post(
        "/dossiers",
        status_code=202,
        response_model=DossierAccepted,
        summary="Submit a dossier, as the holder of the bearer token's account; from an "
        "account whose identity check is pending it is accepted and held (status held) "
        "until the check is answered",
        responses=refusals(
            401,
            *BODY_REFUSALS,
            why={
                403: "account_id names another account than the bearer token's.",
                404: "The token's account is unknown.",
                429: "No online dossier codes are left for that unit and day.",
            },
        ),
    )
    async def post_dossier(
        body: DossierRequest, account_id: Annotated[str, Depends(checks.account_holder)]
    ) -> DossierAccepted:
        if body.account_id is not None and body.account_id != account_id:
            raise HTTPException(403, detail="account_id is not the bearer token's account")
        try:
            submitted = await messaging.requests.run(
                submit_dossier, store, messaging.factory, catalogue, body, account_id
            )
        except InvalidFieldError as exc:
            raise unprocessable(exc.loc, exc.message) from None
        except UnknownAccountError as exc:
            raise HTTPException(404, detail=str(exc)) from None
        except DossierCodesExhaustedError as exc:
            raise HTTPException(429, detail=str(exc)) from None
        code = submitted.dossier_code
        return DossierAccepted(
            dossier_id=submitted.dossier_id,
            dossier_code=code,
            status=submitted.status,
            status_url=f"/dossiers/{code}",
        )

    @router.get(
        "/dossiers/{code}",
        summary="A dossier's status and full timeline (its applicant or an official)",
        response_model=DossierView,
        responses=refusals(
            401, 422, why={404: "No dossier the caller may read has this code or id."}
        ),
    )
    async def get_dossier(
        code: Annotated[str, PathParam(max_length=64)],
        caller: Annotated[Caller, Depends(checks.caller)],
    ) -> dict[str, Any]:
        # another applicant's dossier is answered exactly like an unknown one
        view = await worker.run(dossier_view, store, code, caller)
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
        responses=refusals(401),
    )
    async def get_stats() -> dict[str, int]:
        return await worker.run(dossier_counts, store)

    return router
