"""People as the events describe them: declared identities and population-record facts.

Fields that carry personal data are tagged with their kind in their JSON schema
extras (contracts/personal_data.py), so log masking and documentation are driven
by the contracts.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts.id_numbers import Sex
from contracts.personal_data import TAG_BIRTH_DATE, TAG_ID_NUMBER, TAG_NAME, TAG_PASSPORT_NUMBER

__all__ = [
    "DeclaredPerson",
    "MaritalStatus",
    "PersonFacts",
    "PersonRole",
    "Sex",
]


class PersonRole(StrEnum):
    """The part a person plays in a dossier."""

    APPLICANT = "applicant"
    SPOUSE = "spouse"
    FATHER = "father"
    MOTHER = "mother"
    DECEASED = "deceased"
    CHILD = "child"


class MaritalStatus(StrEnum):
    """Marital status (tình trạng hôn nhân) as the population database records it."""

    SINGLE = "single"
    MARRIED = "married"
    WIDOWED = "widowed"
    DIVORCED = "divorced"


class DeclaredPerson(BaseModel):
    """A person as the applicant declared them on the form: checked, never trusted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: PersonRole = Field(description="The part this person plays in the dossier.")
    id_number: str | None = Field(
        None,
        max_length=32,
        description="Declared 12-digit personal ID number (số định danh cá nhân); "
        "none for a foreigner or a newborn.",
        json_schema_extra=TAG_ID_NUMBER,
    )
    passport_number: str | None = Field(
        None,
        max_length=32,
        description="Passport number, for foreigners.",
        json_schema_extra=TAG_PASSPORT_NUMBER,
    )
    nationality: str = Field(
        "VN", min_length=2, max_length=2, description="ISO 3166-1 alpha-2 nationality."
    )
    full_name: str = Field(
        min_length=1,
        max_length=200,
        description="Full name (họ và tên) as declared.",
        json_schema_extra=TAG_NAME,
    )
    birth_date: date = Field(
        description="Birth date as declared.", json_schema_extra=TAG_BIRTH_DATE
    )
    sex: Sex = Field(description="Sex as declared.")


class PersonFacts(BaseModel):
    """What the population database (CSDL quốc gia về dân cư) holds about a person."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id_number: str = Field(
        description="Personal ID number of the record.", json_schema_extra=TAG_ID_NUMBER
    )
    full_name: str = Field(description="Recorded full name.", json_schema_extra=TAG_NAME)
    birth_date: date = Field(description="Recorded birth date.", json_schema_extra=TAG_BIRTH_DATE)
    sex: Sex = Field(description="Recorded sex.")
    alive: bool = Field(description="False once a death has been registered.")
    marital_status: MaritalStatus = Field(description="Recorded marital status.")
    spouse_id_number: str | None = Field(
        None, description="ID number of the spouse, if married.", json_schema_extra=TAG_ID_NUMBER
    )
    residence_unit: str = Field(
        description="Code of the commune-level unit of permanent residence (thường trú)."
    )
