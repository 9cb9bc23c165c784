"""Civil-status changes an approved settlement asks the population database to apply.

Carried in `DossierSettled.civil_status_change`; re-exported by `contracts.events`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from contracts.payload_types import FROZEN
from contracts.people import Sex
from contracts.personal_data import TAG_BIRTH_DATE, TAG_ID_NUMBER, TAG_NAME

__all__ = [
    "BirthChange",
    "CivilStatusChange",
    "DeathChange",
    "MarriageChange",
    "ResidenceChange",
]


class BirthChange(BaseModel):
    """A birth to enter into the population database: a new person with a new ID number."""

    model_config = FROZEN
    kind: Literal["birth"] = Field("birth", description="Kind of civil-status change.")
    full_name: str = Field(description="Child's full name.", json_schema_extra=TAG_NAME)
    sex: Sex = Field(description="Child's sex.")
    birth_date: date = Field(description="Child's birth date.", json_schema_extra=TAG_BIRTH_DATE)
    residence_unit: str = Field(description="Commune-level unit of residence.")
    father_id_number: str | None = Field(
        None, description="Father's ID number, if declared.", json_schema_extra=TAG_ID_NUMBER
    )
    mother_id_number: str | None = Field(
        None, description="Mother's ID number, if declared.", json_schema_extra=TAG_ID_NUMBER
    )


class DeathChange(BaseModel):
    """A death to record: the person becomes deceased."""

    model_config = FROZEN
    kind: Literal["death"] = Field("death", description="Kind of civil-status change.")
    id_number: str = Field(description="The deceased's ID number.", json_schema_extra=TAG_ID_NUMBER)
    date_of_death: date = Field(description="Date of death.")


class MarriageChange(BaseModel):
    """A marriage to record: both people married and linked as spouses."""

    model_config = FROZEN
    kind: Literal["marriage"] = Field("marriage", description="Kind of civil-status change.")
    id_numbers: tuple[str, str] = Field(
        description="ID numbers of the two spouses.", json_schema_extra=TAG_ID_NUMBER
    )


class ResidenceChange(BaseModel):
    """A permanent-residence registration (đăng ký thường trú): the person moves."""

    model_config = FROZEN
    kind: Literal["permanent_residence"] = Field(
        "permanent_residence", description="Kind of civil-status change."
    )
    id_number: str = Field(description="Who moves.", json_schema_extra=TAG_ID_NUMBER)
    new_residence_unit: str = Field(
        description="Hanoi unit (district or commune) of the new residence."
    )


CivilStatusChange = Annotated[
    BirthChange | DeathChange | MarriageChange | ResidenceChange, Field(discriminator="kind")
]
