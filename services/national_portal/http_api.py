"""The national portal's read-only HTTP API: a dossier it knows, a linked group.

Thin routes: each runs one use case (`use_cases`) on the store worker and answers 404
when it finds nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from services.kit.http_types import refusals
from services.kit.store import StoreWorker
from services.national_portal.http_models import DossierView, GroupView
from services.national_portal.store import NationalPortalStore
from services.national_portal.use_cases import dossier_view, group_view

__all__ = ["national_portal_router"]


def national_portal_router(worker: StoreWorker, store: NationalPortalStore) -> APIRouter:
    """`GET /dossiers/{dossier_id}` and `GET /groups/{parent_dossier_id}`."""
    router = APIRouter(tags=["national_portal"])

    @router.get(
        "/dossiers/{dossier_id}",
        summary="What the national portal knows of a dossier",
        responses=refusals(422, why={404: "No dossier with this id is known here."}),
    )
    async def get_dossier(dossier_id: str) -> DossierView:
        view = await worker.run(dossier_view, store, dossier_id)
        if view is None:
            raise HTTPException(404, f"dossier_id: no dossier {dossier_id!r} is known here")
        return view

    @router.get(
        "/groups/{parent_dossier_id}",
        summary="A linked group and its steps",
        responses=refusals(422, why={404: "No linked group with this parent id is known here."}),
    )
    async def get_group(parent_dossier_id: str) -> GroupView:
        view = await worker.run(group_view, store, parent_dossier_id)
        if view is None:
            raise HTTPException(
                404, f"parent_dossier_id: no linked group {parent_dossier_id!r} is known here"
            )
        return view

    return router
