"""Request and response bodies of the city portal's HTTP API.

Each request field's schema says exactly what is accepted (`services.kit.http_types`):
ID numbers by their rule, procedure and unit codes from the data, dates and moments
written as strings. A citizen registers with an ID number, a foreigner with a passport
number: the schema of `AccountRequest` says so too.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from contracts.events import AccountKind, AccountStatus
from contracts.id_numbers import IdNumberStr
from contracts.people import DeclaredPerson, PersonRole, Sex
from contracts.personal_data import (
    TAG_BIRTH_DATE,
    TAG_FORM,
    TAG_ID_NUMBER,
    TAG_NAME,
    TAG_PASSPORT_NUMBER,
)
from services.kit.http_types import (
    BirthDate,
    HttpForm,
    HttpPerson,
    Moment,
    ProcedureCode,
    UnitCode,
)

__all__ = [
    "AccountAnswer",
    "AccountRequest",
    "DossierAccepted",
    "DossierRequest",
    "DossierView",
    "TimelineView",
    "field_error",
    "unprocessable",
]

_STRICT = ConfigDict(extra="forbid")

#: What each kind of account registers with, as JSON schema (the route checks it too).
_REGISTERS_WITH: JsonDict = {
    "anyOf": [
        {
            "properties": {"kind": {"const": kind}, field: {"type": "string"}},
            "required": [field],
        }
        for kind, field in (("citizen", "id_number"), ("foreigner", "passport_number"))
    ]
}


class AccountRequest(BaseModel):
    """Open an account: a citizen by ID number, a foreigner by passport and nationality."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_REGISTERS_WITH)

    kind: AccountKind = Field(
        description="citizen (registers with id_number) or foreigner (with passport_number)."
    )
    client_ref: str | None = Field(None, max_length=100, description="Idempotency key.")
    id_number: IdNumberStr | None = Field(
        None, description="Citizen's ID number.", json_schema_extra=TAG_ID_NUMBER
    )
    passport_number: str | None = Field(
        None,
        min_length=1,
        max_length=32,
        description="Foreigner's passport.",
        json_schema_extra=TAG_PASSPORT_NUMBER,
    )
    nationality: str = Field("VN", min_length=2, max_length=2, description="ISO country code.")
    full_name: str = Field(
        min_length=1, max_length=200, description="Full name.", json_schema_extra=TAG_NAME
    )
    birth_date: BirthDate = Field(description="Birth date.", json_schema_extra=TAG_BIRTH_DATE)
    sex: Sex = Field(description="male or female.")

    def person(self) -> DeclaredPerson:
        """The declared identity of the holder."""
        return DeclaredPerson(
            role=PersonRole.APPLICANT,
            id_number=self.id_number,
            passport_number=self.passport_number,
            nationality=self.nationality,
            full_name=self.full_name,
            birth_date=self.birth_date,
            sex=self.sex,
        )


class DossierRequest(BaseModel):
    """Submit a dossier online."""

    model_config = _STRICT

    client_ref: str | None = Field(
        None, max_length=100, description="Idempotency key: the same key gives the same dossier."
    )
    account_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="The applicant's account; optional, the bearer token names it "
        "(403 when it names another).",
    )
    procedure_code: ProcedureCode = Field(description="Procedure code (mã TTHC).")
    unit_code: UnitCode = Field("001", description="Hanoi unit the dossier is addressed to.")
    persons: list[HttpPerson] = Field(
        min_length=1, max_length=8, description="Declared identities, the applicant first."
    )
    form: HttpForm = Field(
        default_factory=dict,
        description="The procedure's form data.",
        json_schema_extra=TAG_FORM,
    )
    submitted_simtime: Moment = Field(description="Simulated time of the submission.")


class DossierAccepted(BaseModel):
    """The answer to an accepted submission."""

    dossier_id: str = Field(description="Dossier id.")
    dossier_code: str = Field(description="Dossier code (mã hồ sơ).")
    status: str = Field(
        description="Current status: received, or held while the account's identity check "
        "is pending."
    )
    status_url: str = Field(description="Where to follow it.")


class AccountAnswer(BaseModel):
    """An account as its registration or its holder sees it.

    The status code says its status: 201 active, 202 pending (the identity check is not
    answered yet), 403 refused (no token then).
    """

    account_id: str = Field(description="Account id.")
    kind: AccountKind = Field(description="citizen or foreigner.")
    status: AccountStatus = Field(description="pending, active or refused.")
    reason: str | None = Field(description="Why it was refused.")
    token: str | None = Field(
        None, description="Bearer token of the account (registration only, not when refused)."
    )
    token_expires_at: str | None = Field(None, description="When the token expires (RFC 3339).")


class TimelineView(BaseModel):
    """One status change of a dossier."""

    status: str = Field(description="The status it moved to.")
    by: str = Field(description="Who moved it.")
    note: str = Field(description="Why, in words.")
    simtime: str = Field(description="Simulated moment (RFC 3339).")
    time: str = Field(description="Wall-clock moment the change was published (RFC 3339).")
    event_id: str = Field(description="Id of the status-change event.")


class DossierView(BaseModel):
    """A dossier's status, settlement and timeline."""

    dossier_id: str = Field(description="Dossier id.")
    dossier_code: str = Field(description="Dossier code (mã hồ sơ).")
    procedure_code: str = Field(description="Procedure code.")
    channel: str = Field(description="online or desk.")
    parent_dossier_id: str | None = Field(description="Parent dossier, for a linked step.")
    status: str = Field(description="Current status.")
    settlement: dict[str, Any] | None = Field(
        description="The settlement (`dossier.settled` data), once settled."
    )
    new_id_number: str | None = Field(
        description="The ID number a birth registration gave.", json_schema_extra=TAG_ID_NUMBER
    )
    timeline: list[TimelineView] = Field(description="Status changes, oldest first.")


def field_error(loc: list[Any], message: str, kind: str = "value_error") -> dict[str, Any]:
    """One FastAPI-style validation error entry."""
    return {"loc": loc, "msg": message, "type": kind}


def unprocessable(loc: list[Any], message: str) -> HTTPException:
    """422 naming a body field, like FastAPI's own validation errors."""
    return HTTPException(422, detail=[field_error(["body", *loc], message)])
