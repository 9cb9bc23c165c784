"""The HTTP models of the one-stop desks: a paper dossier taken in, a desk's state."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from contracts.catalogue import load_catalogue
from contracts.id_numbers import IdNumberStr
from contracts.people import DeclaredPerson, PersonRole
from contracts.personal_data import TAG_FORM, TAG_ID_NUMBER
from contracts.worktime import HANOI_TZ
from services.kit.http_types import HttpForm

__all__ = [
    "ClockAdvance",
    "ClockAdvanced",
    "DeskList",
    "DeskPerson",
    "DeskView",
    "IntakeAccepted",
    "IntakeRequest",
]


class DeskPerson(DeclaredPerson):
    """A person declared on a paper form; an ID number, when given, must be well-formed."""

    id_number: IdNumberStr | None = Field(
        None,
        description="Declared 12-digit personal ID number (số định danh cá nhân); "
        "none for a foreigner or a newborn.",
        json_schema_extra=TAG_ID_NUMBER,
    )

    def declared(self) -> DeclaredPerson:
        """The same person as the contracts' :class:`DeclaredPerson`."""
        return DeclaredPerson.model_validate(self.model_dump())


class IntakeRequest(BaseModel):
    """A paper dossier (hồ sơ giấy) handed in at a one-stop desk."""

    model_config = ConfigDict(extra="forbid")

    client_ref: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="Caller's reference; the same reference always gives the same dossier.",
    )
    procedure_code: str = Field(
        min_length=1, max_length=32, description="Code of a procedure (mã TTHC) in the catalogue."
    )
    persons: list[DeskPerson] = Field(
        min_length=1,
        max_length=8,
        description="Declared identities; the applicant first, then others the procedure names.",
    )
    form: HttpForm = Field(
        default_factory=dict,
        description="The procedure's form data (e.g. child_full_name).",
        json_schema_extra=TAG_FORM,
    )
    received_simtime: AwareDatetime = Field(
        description="Simulated moment the citizen handed the dossier in (timezone-aware)."
    )

    @field_validator("procedure_code")
    @classmethod
    def _known_procedure(cls, value: str) -> str:
        try:
            load_catalogue().by_code(value)
        except KeyError:
            raise ValueError(
                f"procedure_code {value!r} is not in the catalogue of the 25 procedures"
            ) from None
        return value

    @field_validator("persons")
    @classmethod
    def _applicant_first(cls, value: list[DeskPerson]) -> list[DeskPerson]:
        if value and value[0].role is not PersonRole.APPLICANT:
            raise ValueError(f"the first person must be the applicant, not {value[0].role}")
        return value

    @field_validator("received_simtime")
    @classmethod
    def _codeable_year(cls, value: datetime) -> datetime:
        year = value.astimezone(HANOI_TZ).year
        if not 2000 <= year <= 2099:
            raise ValueError(f"year {year} cannot be written in a dossier code (2000-2099)")
        return value


class IntakeAccepted(BaseModel):
    """The desk took the dossier in: it is queued for digitisation."""

    dossier_id: str = Field(description="Dossier id (UUID).")
    dossier_code: str = Field(description="Dossier code (mã hồ sơ) `<unit>-YYMMDD-XXXX`.")
    unit_code: str = Field(description="Unit of the desk that took it in.")
    status: Literal["digitising"] = Field("digitising", description="Always digitising.")
    digitised_simtime: AwareDatetime = Field(
        description="Simulated moment its digitisation ends (then submitted or returned)."
    )


class DeskView(BaseModel):
    """A desk's digitisation queue as far as the service knows it."""

    unit_code: str = Field(description="Code of the desk's unit.")
    unit_name: str = Field(description="Name of the unit.")
    capacity_per_day: int = Field(description="Dossiers digitised per working day.")
    free_at: AwareDatetime | None = Field(
        None, description="Simulated moment the desk finishes the dossiers it has; none if idle."
    )
    as_of: AwareDatetime | None = Field(
        None, description="Simulated moment of queue_length (latest known, or the `at` asked)."
    )
    queue_length: int = Field(description="Dossiers waiting or being scanned at as_of.")
    peak_queue: int = Field(description="Longest queue seen at an arrival so far.")
    dossiers_received: int = Field(description="Paper dossiers taken in so far.")
    scan_failures: int = Field(description="Dossiers whose scan failed.")


class DeskList(BaseModel):
    """Every desk that has taken a dossier in."""

    as_of: AwareDatetime | None = Field(
        None, description="Latest simulated moment known to the desks."
    )
    desks: list[DeskView] = Field(description="The desks, by unit code.")


class ClockAdvance(BaseModel):
    """The simulated clock reached a moment (e.g. the end of a scenario)."""

    model_config = ConfigDict(extra="forbid")

    simtime: AwareDatetime = Field(description="The simulated moment reached.")


class ClockAdvanced(BaseModel):
    """Departures published because the clock passed their end of digitisation."""

    clock: AwareDatetime = Field(description="The desks' simulated clock now.")
    departures_published: int = Field(description="desk.queue.changed departures published.")
