"""The state of a linked group (the parent dossier and its steps), stored as JSON.

Frozen models: a transition gives a new state (`model_copy`) and never changes one.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.catalogue import Portal
from contracts.events import DossierRouted, Outcome
from contracts.people import PersonFacts

__all__ = ["GroupState", "StepState", "StepStatus"]

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
