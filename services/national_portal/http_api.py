"""The national portal's read-only HTTP API: a dossier it knows, a linked group."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import AwareDatetime, BaseModel, Field

from contracts.events import Outcome
from contracts.personal_data import TAG_ID_NUMBER
from services.kit.store import StoreWorker
from services.national_portal.linked.state import GroupState, StepState
from services.national_portal.store import NationalPortalStore

__all__ = ["DossierView", "GroupView", "group_view", "national_portal_router"]


class GroupView(BaseModel):
    """A linked group: its parent dossier and the state of each step."""

    parent_dossier_id: str = Field(description="The parent dossier's id.")
    dossier_code: str = Field(description="The parent's dossier code.")
    procedure_code: str = Field(description="The group's procedure code.")
    status: str = Field(description="awaiting_steps, approved or rejected.")
    child_id_number: str | None = Field(
        None,
        description="The child's new ID number once the birth step is registered.",
        json_schema_extra=TAG_ID_NUMBER,
    )
    settled_simtime: AwareDatetime | None = Field(None, description="When the parent settled.")
    steps: list[StepState] = Field(description="The steps, in order.")


class DossierView(BaseModel):
    """What the national portal knows about one dossier."""

    dossier_id: str = Field(description="The dossier id.")
    dossier_code: str | None = Field(None, description="Dossier code (mã hồ sơ).")
    procedure_code: str | None = Field(None, description="Procedure code.")
    route_to: str | None = Field(None, description="Portal the city portal routed it to.")
    handled_by: str | None = Field(
        None, description="Adapter (portal) that processes or processed it."
    )
    status: str | None = Field(
        None, description="Last status known here (submitted for a step handed on)."
    )
    outcome: Outcome | None = Field(None, description="approved or rejected, once settled.")
    reason_code: str | None = Field(None, description="Rejection reason code.")
    reason_text: str | None = Field(None, description="Rejection reason.")
    result_document_number: str | None = Field(None, description="Result document number.")
    parent_dossier_id: str | None = Field(None, description="Parent, for a linked step.")
    step_index: int | None = Field(None, description="Position in its group, for a step.")
    received_simtime: AwareDatetime | None = Field(None, description="Simulated receipt.")
    settled_simtime: AwareDatetime | None = Field(None, description="Simulated settlement.")
    working_days_taken: float | None = Field(None, description="Working days taken.")
    legal_limit_days: int | None = Field(None, description="Legal time limit in working days.")
    within_legal_limit: bool | None = Field(None, description="Settled within the limit.")
    group: GroupView | None = Field(None, description="For a linked group's parent: its steps.")


def group_view(state: GroupState) -> GroupView:
    """The API view of a group's state."""
    parent = state.parent.submission
    return GroupView(
        parent_dossier_id=state.parent_id,
        dossier_code=parent.dossier_code,
        procedure_code=parent.procedure_code,
        status=str(state.outcome) if state.outcome else "awaiting_steps",
        child_id_number=state.child.id_number if state.child else None,
        settled_simtime=state.settled_simtime,
        steps=list(state.steps),
    )


def _dossier(store: NationalPortalStore, dossier_id: str) -> DossierView | None:
    row = store.dossier(dossier_id)
    state = store.group(dossier_id)
    if row is None:
        parent = store.parent_of_step(dossier_id)
        group = store.group(parent) if parent else None
        step = group.step_by_dossier(dossier_id) if group else None
        if step is None:
            return None
        return DossierView(
            dossier_id=dossier_id,
            dossier_code=step.dossier_code,
            status=str(step.status),
            parent_dossier_id=parent,
            step_index=step.index,
        )
    return DossierView(**row, group=group_view(state) if state else None)


def national_portal_router(worker: StoreWorker, store: NationalPortalStore) -> APIRouter:
    """`GET /dossiers/{dossier_id}` and `GET /groups/{parent_dossier_id}`."""
    router = APIRouter(tags=["national_portal"])

    @router.get("/dossiers/{dossier_id}", summary="What the national portal knows of a dossier")
    async def get_dossier(dossier_id: str) -> DossierView:
        view = await worker.run(_dossier, store, dossier_id)
        if view is None:
            raise HTTPException(404, f"dossier_id: no dossier {dossier_id!r} is known here")
        return view

    @router.get("/groups/{parent_dossier_id}", summary="A linked group and its steps")
    async def get_group(parent_dossier_id: str) -> GroupView:
        state = await worker.run(store.group, parent_dossier_id)
        if state is None:
            raise HTTPException(
                404, f"parent_dossier_id: no linked group {parent_dossier_id!r} is known here"
            )
        return group_view(state)

    return router
