"""The HTTP models of the one-stop desks: a paper dossier taken in, a desk's state.

Each request field's schema says exactly what is accepted (`services.kit.http_types`),
the applicant first among the persons included.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from contracts.people import PersonRole
from contracts.personal_data import TAG_FORM
from services.kit.http_types import HttpForm, HttpPerson, Moment, ProcedureCode

__all__ = [
    "ClockAdvance",
    "ClockAdvanced",
    "DeskList",
    "DeskView",
    "IntakeAccepted",
    "IntakeRequest",
]


def _applicant_first_schema(schema: dict[str, Any]) -> None:
    """JSON schema of the persons: the first one is the applicant."""
    schema["prefixItems"] = [
        {"allOf": [dict(schema["items"]), {"properties": {"role": {"const": "applicant"}}}]}
    ]


class IntakeRequest(BaseModel):
    """A paper dossier (hồ sơ giấy) handed in at a one-stop desk."""

    model_config = ConfigDict(extra="forbid")

    client_ref: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="Caller's reference; the same reference always gives the same dossier.",
    )
    procedure_code: ProcedureCode = Field(
        description="Code of a procedure (mã TTHC) in the catalogue."
    )
    persons: list[HttpPerson] = Field(
        min_length=1,
        max_length=8,
        description="Declared identities; the applicant first, then others the procedure names.",
        json_schema_extra=_applicant_first_schema,
    )
    form: HttpForm = Field(
        default_factory=dict,
        description="The procedure's form data (e.g. child_full_name).",
        json_schema_extra=TAG_FORM,
    )
    received_simtime: Moment = Field(
        description="Simulated moment the citizen handed the dossier in (with its offset)."
    )

    @field_validator("persons")
    @classmethod
    def _applicant_first(cls, value: list[HttpPerson]) -> list[HttpPerson]:
        if value and value[0].role is not PersonRole.APPLICANT:
            raise ValueError(f"the first person must be the applicant, not {value[0].role}")
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

    simtime: Moment = Field(description="The simulated moment reached.")


class ClockAdvanced(BaseModel):
    """Departures published because the clock passed their end of digitisation."""

    clock: AwareDatetime = Field(description="The desks' simulated clock now.")
    departures_published: int = Field(description="desk.queue.changed departures published.")
