"""Payloads of what enters the system from outside: accounts and paper dossiers at a desk.

Re-exported by `contracts.events`. Each carries the caller's `client_ref` (the
idempotency key of the HTTP request), so an event log holds everything needed to hand
the same inputs in again and get the same account and dossier ids.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, Field

from contracts.payload_types import FROZEN, FormValue, ProcedureCode
from contracts.people import DeclaredPerson
from contracts.personal_data import TAG_FORM

__all__ = [
    "AccountKind",
    "AccountRegistered",
    "AccountStatus",
    "DeskDossierReceived",
    "DeskQueueChanged",
]


class AccountKind(StrEnum):
    """A citizen (by ID number) or a foreigner (by passport)."""

    CITIZEN = "citizen"
    FOREIGNER = "foreigner"


class AccountStatus(StrEnum):
    """State of a portal account."""

    PENDING = "pending"
    ACTIVE = "active"
    REFUSED = "refused"


class AccountRegistered(BaseModel):
    """The city portal decided on an account registration (tài khoản)."""

    model_config = FROZEN
    VERSION: ClassVar[int] = 2

    account_id: str = Field(min_length=1, max_length=64, description="Account id; the key.")
    kind: AccountKind = Field(description="citizen or foreigner.")
    status: AccountStatus = Field(description="active or refused (pending while checking).")
    reason: str | None = Field(None, description="Why it was refused.")
    person: DeclaredPerson = Field(description="The declared identity of the account holder.")
    client_ref: str | None = Field(
        None,
        max_length=100,
        description="The registration's idempotency key (the account id derives from it); "
        "none when the caller gave none.",
    )


class DeskDossierReceived(BaseModel):
    """A one-stop desk (Bộ phận Một cửa) took a paper dossier in, before digitising it."""

    model_config = FROZEN
    VERSION: ClassVar[int] = 2

    dossier_id: str = Field(
        min_length=1, max_length=64, description="Dossier id (UUID); the topic's key."
    )
    dossier_code: str = Field(description="Dossier code (mã hồ sơ) `<unit>-YYMMDD-XXXX`.")
    unit_code: str = Field(description="Code of the unit whose desk took the dossier in.")
    client_ref: str | None = Field(
        None,
        max_length=100,
        description="The intake request's idempotency key (the dossier id derives from it).",
    )
    procedure_code: ProcedureCode = Field(description="Procedure code in the catalogue.")
    persons: list[DeclaredPerson] = Field(
        min_length=1,
        max_length=8,
        description="Declared identities as written on the paper form; the applicant first.",
    )
    form: dict[str, FormValue] = Field(
        default_factory=dict,
        description="The procedure's form data (e.g. child_full_name).",
        json_schema_extra=TAG_FORM,
    )
    received_simtime: AwareDatetime = Field(
        description="Simulated moment the citizen handed the dossier in."
    )
    reused_documents: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="Dossier codes of the applicant's dossiers kept in the desks' electronic "
        "archive whose documents this one reuses (v2; empty without the archive).",
    )


class DeskQueueChanged(BaseModel):
    """The digitisation queue of a one-stop desk (Bộ phận Một cửa) changed length."""

    model_config = FROZEN
    VERSION: ClassVar[int] = 1

    unit_code: str = Field(description="Code of the desk's unit; the key.")
    queue_length: int = Field(ge=0, description="Dossiers waiting to be digitised.")
    dossier_id: str | None = Field(None, description="Dossier that entered or left the queue.")
