"""Response bodies of the national portal's HTTP API."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field

from contracts.events import Outcome
from contracts.personal_data import TAG_ID_NUMBER
from services.national_portal.linked.state import StepState

__all__ = ["DossierView", "GroupView"]


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
