"""Request and response bodies of the city portal's HTTP API."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import HTTPException
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from contracts.events import AccountKind
from contracts.id_numbers import parse_id_number
from contracts.people import DeclaredPerson, PersonRole, Sex
from contracts.personal_data import (
    TAG_BIRTH_DATE,
    TAG_FORM,
    TAG_ID_NUMBER,
    TAG_NAME,
    TAG_PASSPORT_NUMBER,
)
from services.kit.http_types import HttpForm

__all__ = [
    "AccountRequest",
    "DossierAccepted",
    "DossierRequest",
    "field_error",
    "unprocessable",
]

_STRICT = ConfigDict(extra="forbid")


class AccountRequest(BaseModel):
    """Open an account: a citizen by ID number, a foreigner by passport and nationality."""

    model_config = _STRICT

    kind: AccountKind = Field(description="citizen or foreigner.")
    client_ref: str | None = Field(None, max_length=100, description="Idempotency key.")
    id_number: str | None = Field(
        None, max_length=32, description="Citizen's ID number.", json_schema_extra=TAG_ID_NUMBER
    )
    passport_number: str | None = Field(
        None,
        max_length=32,
        description="Foreigner's passport.",
        json_schema_extra=TAG_PASSPORT_NUMBER,
    )
    nationality: str = Field("VN", min_length=2, max_length=2, description="ISO country code.")
    full_name: str = Field(
        min_length=1, max_length=200, description="Full name.", json_schema_extra=TAG_NAME
    )
    birth_date: date = Field(description="Birth date.", json_schema_extra=TAG_BIRTH_DATE)
    sex: Sex = Field(description="male or female.")

    @field_validator("id_number")
    @classmethod
    def _id_number_is_well_formed(cls, value: str | None) -> str | None:
        if value is not None:
            parse_id_number(value)
        return value

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
    procedure_code: str = Field(min_length=1, max_length=20, description="Procedure code.")
    unit_code: str = Field(
        "001", min_length=3, max_length=5, description="Hanoi unit the dossier is addressed to."
    )
    persons: list[DeclaredPerson] = Field(
        min_length=1, max_length=8, description="Declared identities, the applicant first."
    )
    form: HttpForm = Field(
        default_factory=dict,
        description="The procedure's form data.",
        json_schema_extra=TAG_FORM,
    )
    submitted_simtime: AwareDatetime = Field(description="Simulated time of the submission.")


class DossierAccepted(BaseModel):
    """The answer to an accepted submission."""

    dossier_id: str = Field(description="Dossier id.")
    dossier_code: str = Field(description="Dossier code (mã hồ sơ).")
    status: str = Field(description="Current status.")
    status_url: str = Field(description="Where to follow it.")


def field_error(loc: list[Any], message: str, kind: str = "value_error") -> dict[str, Any]:
    """One FastAPI-style validation error entry."""
    return {"loc": loc, "msg": message, "type": kind}


def unprocessable(loc: list[Any], message: str) -> HTTPException:
    """422 naming a body field, like FastAPI's own validation errors."""
    return HTTPException(422, detail=[field_error(["body", *loc], message)])
