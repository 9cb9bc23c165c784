"""The state of a linked group (parent dossier and its steps), stored as JSON.

Frozen models: a transition gives a new state (`model_copy`) and never changes one.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.catalogue import Portal, Procedure
from contracts.events import DossierRouted, DossierSettled, Outcome
from contracts.people import PersonFacts
from contracts.worktime import within_legal_limit, working_days_between
from services.national_portal.domain import document_number

__all__ = [
    "GROUP_DOCUMENT_PREFIX",
    "GroupState",
    "StepState",
    "StepStatus",
    "parent_settlement",
]

#: Result document prefix of an approved linked group (liên thông).
GROUP_DOCUMENT_PREFIX = "LT"
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class StepStatus(StrEnum):
    """Where a step of a linked group is."""

    PENDING = "pending"
    STARTED = "started"
    APPROVED = "approved"
    REJECTED = "rejected"


class StepState(BaseModel):
    """One step of a linked group, as the national portal knows it."""

    model_config = _FROZEN

    index: int = Field(ge=0, description="Position of the step in its group.")
    name_vi: str = Field(description="Vietnamese name of the step.")
    name_en: str = Field(description="English name of the step.")
    settled_by: Portal = Field(description="Portal that settles the step.")
    procedure_number: int | None = Field(
        None,
        description="The step's procedure number when it is one of the 25 (published as a "
        "dossier); none when its adapter settles it inside the national portal.",
    )
    dossier_id: str = Field(description="The step's dossier id, derived from the parent's.")
    dossier_code: str | None = Field(None, description="The step's dossier code once started.")
    status: StepStatus = Field(StepStatus.PENDING, description="pending, started, approved, ...")
    started_simtime: AwareDatetime | None = Field(None, description="Simulated start time.")
    settled_simtime: AwareDatetime | None = Field(None, description="Simulated settlement time.")
    result_document_number: str | None = Field(None, description="Result document, if approved.")
    reason_code: str | None = Field(None, description="Rejection reason code, if rejected.")
    reason_text: str | None = Field(None, description="Rejection reason, if rejected.")

    @property
    def label(self) -> str:
        """The step's name for notes: `step N: English (Vietnamese)`."""
        return f"step {self.index}: {self.name_en} ({self.name_vi})"


class GroupState(BaseModel):
    """A linked group: the routed parent, its steps, the child's record once registered."""

    model_config = _FROZEN

    parent: DossierRouted = Field(description="The parent dossier as routed.")
    steps: tuple[StepState, ...] = Field(description="The steps, in order.")
    child: PersonFacts | None = Field(None, description="The child's record after the birth.")
    child_simtime: AwareDatetime | None = Field(
        None, description="Simulated time the child's record was created."
    )
    outcome: Outcome | None = Field(None, description="The parent's outcome once settled.")
    settled_simtime: AwareDatetime | None = Field(None, description="The parent's settlement.")

    @property
    def parent_id(self) -> str:
        """The parent dossier's id."""
        return self.parent.dossier_id

    def step_by_dossier(self, dossier_id: str) -> StepState | None:
        """The step whose dossier this is, if any."""
        return next((s for s in self.steps if s.dossier_id == dossier_id), None)

    def with_step(self, step: StepState) -> GroupState:
        """A copy with one step replaced (by its index)."""
        steps = tuple(step if s.index == step.index else s for s in self.steps)
        return self.model_copy(update={"steps": steps})


def parent_settlement(
    state: GroupState,
    procedure: Procedure,
    outcome: Outcome,
    settled_at: datetime,
    reason_code: str | None = None,
    reason_text: str | None = None,
) -> DossierSettled:
    """The parent's `dossier.settled`, counted from its receipt to `settled_at`."""
    sub = state.parent.submission
    taken = working_days_between(sub.received_simtime, settled_at)
    limit = procedure.legal_time_limit_days
    approved = outcome is Outcome.APPROVED
    return DossierSettled(
        dossier_id=state.parent_id,
        dossier_code=sub.dossier_code,
        procedure_code=sub.procedure_code,
        channel=sub.channel,
        received_unit=sub.received_unit,
        parent_dossier_id=sub.parent_dossier_id,
        outcome=outcome,
        settled_by=Portal.NATIONAL_PORTAL,
        result_document_number=(
            document_number(GROUP_DOCUMENT_PREFIX, state.parent_id, settled_at)
            if approved
            else None
        ),
        reason_code=None if approved else reason_code,
        reason_text=None if approved else reason_text,
        received_simtime=sub.received_simtime,
        settled_simtime=settled_at,
        working_days_taken=taken,
        legal_limit_days=limit,
        within_legal_limit=within_legal_limit(sub.received_simtime, settled_at, limit),
    )
