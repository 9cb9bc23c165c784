"""A dossier's status changes: the steps of its timeline, and the event that carries them.

A service publishes the status changes it makes to a dossier while handling one event
together: in the `transitions` of the `dossier.settled` or `dossier.routed` it publishes
for that dossier then, else in one `dossier.status.changed` (`services.kit.status_folding`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, Field

from contracts.payload_types import FROZEN, ProcedureCode

__all__ = [
    "MAX_TRANSITIONS",
    "DossierStatus",
    "DossierStatusChanged",
    "DossierStatusChangedV1",
    "StatusTransition",
]

#: The most status changes one event carries.
MAX_TRANSITIONS = 16


class DossierStatus(StrEnum):
    """A status in a dossier's timeline; approved and rejected are terminal."""

    RECEIVED = "received"
    DIGITISING = "digitising"
    IDENTITY_CHECK = "identity_check"
    ROUTED = "routed"
    PROCESSING = "processing"
    AWAITING_STEPS = "awaiting_steps"
    AWAITING_CARD = "awaiting_card"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED_AT_DESK = "returned_at_desk"

    @property
    def is_terminal(self) -> bool:
        """True for the final decisions."""
        return self in {DossierStatus.APPROVED, DossierStatus.REJECTED}


class StatusTransition(BaseModel):
    """One step in a dossier's timeline: the new status, who moved it, when, and why."""

    model_config = FROZEN

    status: DossierStatus = Field(description="The new status.")
    by: str = Field(description="Service or portal that changed it.")
    note: str = Field("", max_length=500, description="A short explanation.")
    simtime: AwareDatetime = Field(description="Simulated time of the change.")


class DossierStatusChanged(BaseModel):
    """Status changes of one dossier that one service made together, oldest first.

    Version 3 adds the status `awaiting_card`; version 2 the list of `transitions`
    (version 1 carried one change as `status`, `by`, `note`).
    """

    model_config = FROZEN
    VERSION: ClassVar[int] = 3

    dossier_id: str = Field(
        min_length=1, max_length=64, description="Dossier id (UUID); the topic's key."
    )
    dossier_code: str = Field(description="Dossier code.")
    procedure_code: ProcedureCode = Field(description="Procedure code in the catalogue.")
    transitions: list[StatusTransition] = Field(
        min_length=1, max_length=MAX_TRANSITIONS, description="The changes, oldest first."
    )


class DossierStatusChangedV1(BaseModel):
    """Version 1 of `dossier.status.changed` (one change; its time the envelope's `simtime`).

    Kept so that event logs recorded before version 2 are still read (`simulator.eventlog`).
    """

    model_config = FROZEN
    VERSION: ClassVar[int] = 1

    dossier_id: str = Field(min_length=1, max_length=64)
    dossier_code: str
    procedure_code: ProcedureCode
    status: DossierStatus
    by: str
    note: str = Field("", max_length=500)
