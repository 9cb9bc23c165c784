"""Event payloads: the `data` of each topic's CloudEvents envelope.

Topic names are `<entity>.<event>` in past tense; each payload class carries the
`VERSION` that its event `type` ends with (`vn.portalsim.dossier.settled.v1`).
A change to a payload changes its VERSION and the generated AsyncAPI document.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, Field

from contracts.catalogue import Portal
from contracts.civil_status import (
    BirthChange,
    CivilStatusChange,
    DeathChange,
    MarriageChange,
    ResidenceChange,
)
from contracts.intake_events import (
    AccountKind,
    AccountRegistered,
    AccountStatus,
    DeskDossierReceived,
    DeskQueueChanged,
)
from contracts.payload_types import FROZEN, FormValue, ProcedureCode
from contracts.people import DeclaredPerson, PersonFacts, PersonRole
from contracts.personal_data import TAG_FORM, TAG_ID_NUMBER
from contracts.status_events import (
    MAX_TRANSITIONS,
    DossierStatus,
    DossierStatusChanged,
    DossierStatusChangedV1,
    StatusTransition,
)

__all__ = [
    "AccountKind",
    "AccountRegistered",
    "AccountStatus",
    "BirthChange",
    "Channel",
    "CivilStatusChange",
    "DeathChange",
    "DeskDossierReceived",
    "DeskQueueChanged",
    "DossierRouted",
    "DossierSettled",
    "DossierStatus",
    "DossierStatusChanged",
    "DossierStatusChangedV1",
    "DossierSubmitted",
    "FormValue",
    "IdentityCheckCompleted",
    "IdentityCheckRequested",
    "IdentityResult",
    "MarriageChange",
    "Outcome",
    "PopulationRecordChanged",
    "ProcedureCode",
    "RecordChange",
    "RequesterKind",
    "ResidenceChange",
    "StatusTransition",
]

_ID = Field(min_length=1, max_length=64, description="Dossier id (UUID); the topic's key.")
ONE_STOP = "one_stop"


class Channel(StrEnum):
    """How a dossier (hồ sơ) entered the system."""

    ONLINE = "online"
    DESK = "desk"
    LINKED = "linked"


class DossierSubmitted(BaseModel):
    """A dossier was submitted: online, digitised at a one-stop desk, or as a linked step."""

    model_config = FROZEN
    VERSION: ClassVar[int] = 2

    dossier_id: str = _ID
    dossier_code: str = Field(description="Dossier code (mã hồ sơ) `<unit>-YYMMDD-XXXX`.")
    procedure_code: ProcedureCode = Field(
        description="Code of the procedure (thủ tục hành chính, TTHC) in the catalogue."
    )
    channel: Channel = Field(description="online, desk (Bộ phận Một cửa) or linked step.")
    account_id: str | None = Field(None, description="Portal account of the applicant, if any.")
    received_unit: str = Field(description="Code of the Hanoi unit that received the dossier.")
    persons: list[DeclaredPerson] = Field(
        min_length=1,
        max_length=8,
        description="Declared identities; the applicant first, then others the procedure names.",
    )
    form: dict[str, FormValue] = Field(
        default_factory=dict,
        description="The procedure's form data (e.g. child_full_name).",
        json_schema_extra=TAG_FORM,
    )
    parent_dossier_id: str | None = Field(
        None, description="For a step of a linked group: the parent dossier's id."
    )
    step_index: int | None = Field(None, ge=0, description="Position of the step in its group.")
    received_simtime: AwareDatetime = Field(description="Simulated time the dossier was received.")
    client_ref: str | None = Field(
        None,
        max_length=100,
        description="The submitter's idempotency key (online or desk request); none for "
        "linked steps.",
    )


class RequesterKind(StrEnum):
    """Who asked for an identity check."""

    DOSSIER = "dossier"
    ACCOUNT = "account"


class IdentityCheckRequested(BaseModel):
    """A portal asks the population database to check one declared person."""

    model_config = FROZEN
    VERSION: ClassVar[int] = 1

    check_id: str = Field(min_length=1, max_length=100, description="Unique id of this check.")
    requester_kind: RequesterKind = Field(description="A dossier or an account registration.")
    requester_id: str = Field(description="Dossier id or account id the check belongs to.")
    id_number: str = Field(
        max_length=32,
        description="Declared ID number; the topic's key.",
        json_schema_extra=TAG_ID_NUMBER,
    )
    person: DeclaredPerson = Field(description="The declared identity to compare.")


class IdentityResult(StrEnum):
    """Outcome of an identity check against the population database."""

    MATCH = "match"
    MISMATCH = "mismatch"
    NOT_FOUND = "not_found"
    DECEASED = "deceased"
    MALFORMED_ID = "malformed_id"


class IdentityCheckCompleted(BaseModel):
    """The population database answered an identity check."""

    model_config = FROZEN
    VERSION: ClassVar[int] = 1

    check_id: str = Field(description="Id of the request being answered.")
    requester_kind: RequesterKind = Field(description="A dossier or an account registration.")
    requester_id: str = Field(description="Dossier or account id; the topic's key.")
    role: PersonRole = Field(description="Role of the checked person in the dossier.")
    result: IdentityResult = Field(description="match, mismatch, not_found, deceased, ...")
    mismatched_fields: list[str] = Field(
        default_factory=list,
        description="For a mismatch: each declared field that differs (full_name, birth_date, "
        "sex, id_number).",
    )
    detail: str = Field("", description="A sentence explaining the result.")
    record: PersonFacts | None = Field(
        None, description="The record's facts whenever a record was found."
    )


class DossierRouted(BaseModel):
    """The city portal handed a dossier to the portal that settles it.

    Version 2 adds `transitions`; version 3 the status `awaiting_card` they may carry.
    """

    model_config = FROZEN
    VERSION: ClassVar[int] = 3

    dossier_id: str = _ID
    route_to: Portal = Field(description="Portal that settles the dossier.")
    submission: DossierSubmitted = Field(description="The dossier as submitted.")
    identities: list[PersonFacts] = Field(
        default_factory=list, description="Population records of the checked persons."
    )
    routed_simtime: AwareDatetime = Field(description="Simulated time of the routing.")
    transitions: list[StatusTransition] = Field(
        default_factory=list,
        max_length=MAX_TRANSITIONS,
        description="The city portal's status changes of the dossier made with the routing "
        "(`routed` last); they travel here instead of in a `dossier.status.changed`.",
    )


class Outcome(StrEnum):
    """Final decision on a dossier."""

    APPROVED = "approved"
    REJECTED = "rejected"


class DossierSettled(BaseModel):
    """A dossier reached its final decision: approved with a result document, or rejected.

    Version 2 adds `transitions`; version 3 the status `awaiting_card` they may carry.
    """

    model_config = FROZEN
    VERSION: ClassVar[int] = 3

    dossier_id: str = _ID
    dossier_code: str = Field(description="Dossier code (mã hồ sơ).")
    procedure_code: ProcedureCode = Field(description="Procedure code in the catalogue.")
    channel: Channel = Field(description="How the dossier entered.")
    received_unit: str = Field(description="Unit that received the dossier.")
    parent_dossier_id: str | None = Field(None, description="Parent dossier for a linked step.")
    outcome: Outcome = Field(description="approved or rejected.")
    settled_by: Portal | Literal["one_stop"] = Field(
        description="Portal that settled it; one_stop when a desk returned it before submission."
    )
    result_document_number: str | None = Field(
        None, description="Number of the result document (giấy tờ kết quả) when approved."
    )
    reason_code: str | None = Field(None, description="Machine-readable rejection reason.")
    reason_text: str | None = Field(None, description="The rejection reason as a sentence.")
    received_simtime: AwareDatetime = Field(description="Simulated time the dossier was received.")
    settled_simtime: AwareDatetime = Field(description="Simulated time of the decision.")
    working_days_taken: float = Field(ge=0, description="Simulated working days taken.")
    legal_limit_days: int | None = Field(None, description="Legal time limit in working days.")
    within_legal_limit: bool | None = Field(
        None, description="Whether it settled within the legal limit (none when no limit)."
    )
    civil_status_change: CivilStatusChange | None = Field(
        None, description="For approved civil-status procedures: what the population DB applies."
    )
    transitions: list[StatusTransition] = Field(
        default_factory=list,
        max_length=MAX_TRANSITIONS,
        description="The settling service's status changes of the dossier made with the "
        "settlement, the terminal one (approved or rejected) last; they travel here instead "
        "of in a `dossier.status.changed`.",
    )


class RecordChange(StrEnum):
    """What changed in a population record."""

    BORN = "born"
    DIED = "died"
    MARRIED = "married"
    MOVED = "moved"


class PopulationRecordChanged(BaseModel):
    """The population database applied a civil-status settlement to a record."""

    model_config = FROZEN
    VERSION: ClassVar[int] = 1

    id_number: str = Field(
        description="ID number of the changed record (the new one for a birth); the key.",
        json_schema_extra=TAG_ID_NUMBER,
    )
    change: RecordChange = Field(description="born, died, married or moved.")
    dossier_id: str = Field(description="Dossier whose settlement caused the change.")
    record: PersonFacts = Field(description="The record after the change.")
