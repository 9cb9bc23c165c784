"""What the HTTP APIs' OpenAPI documents promise: valid field values and refusals.

A request field's JSON schema says exactly what the service accepts, so a request the
schema calls valid is not refused for its shape, and one it calls invalid is refused
with 422 naming the field:

- **Bounded texts and forms.** The contracts' `FormValue` leaves strings unbounded
  (bounding them there would change the events' wire schema); requests are bounded here
  instead, before they become events.
- **Dates and moments are strings.** JSON has no date type: a date is written
  `YYYY-MM-DD`, a moment RFC 3339 with its offset (`2026-03-02T09:30:00+07:00`). Pydantic
  would also read a number as a Unix time (`{"simtime": 6155619113358}`); these types
  refuse anything but the written form, and their patterns name only real calendar days.
- **Codes from the data.** Procedure codes are an enum of the catalogue's 25 codes; Hanoi
  unit codes (609) and personal ID numbers have the patterns of `contracts.units` and
  `contracts.id_numbers`, each the whole rule (a pattern rather than an enum of 609
  codes: schemathesis's coverage phase would send a request for each enum value).

`refusals(...)` gives the OpenAPI responses of a route's error statuses, each with its
body model (`ErrorBody`, or `ValidationErrorBody` for 422), so a route declares every
status it may answer in one line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from contracts.catalogue import load_catalogue
from contracts.id_numbers import IdNumberStr
from contracts.people import DeclaredPerson
from contracts.personal_data import TAG_BIRTH_DATE, TAG_ID_NUMBER
from contracts.units import UNIT_CODE_PATTERN, is_hanoi_unit

__all__ = [
    "BIRTH_DATE_PATTERN",
    "BODY_REFUSALS",
    "FORM_MAX_FIELDS",
    "MOMENT_PATTERN",
    "PROCEDURE_CODES",
    "BirthDate",
    "ErrorBody",
    "FieldError",
    "FormKey",
    "HttpForm",
    "HttpFormValue",
    "HttpPerson",
    "Moment",
    "ProcedureCode",
    "UnitCode",
    "ValidationErrorBody",
    "refusals",
    "unit_code_schema",
]

# -- bounded texts and forms ----------------------------------------------------------

FORM_MAX_FIELDS = 50

FormKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
HttpFormValue = Annotated[str, StringConstraints(max_length=1000)] | int | bool | None
#: A procedure's form data as a request carries it: at most 50 fields, bounded texts.
HttpForm = Annotated[dict[FormKey, HttpFormValue], Field(max_length=FORM_MAX_FIELDS)]

# -- calendar days as patterns ---------------------------------------------------------

_MONTH_DAY = (
    "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"  # every month has days 1-28
    "|(?:0[13-9]|1[0-2])-(?:29|30)"  # all but February have 29 and 30
    "|(?:0[13578]|1[02])-31)"  # the long months have 31
)


def _calendar_days(years: str, leap_years: str) -> str:
    """Days `YYYY-MM-DD` of the years `years` matches, 29 February only in `leap_years`."""
    return f"(?:{years}-{_MONTH_DAY}|{leap_years}-02-29)"


# Moments: 2001-2098 as written, so that the day in Hanoi of any of them (whatever its
# offset, at most 23:59 away) is in 2000-2099, the years a dossier code can carry.
_MOMENT_YEARS = "20(?:0[1-9]|[1-8][0-9]|9[0-8])"
_MOMENT_LEAP_YEARS = "20(?:0[48]|[2468][048]|[13579][26])"
# Birth dates: 1900-2099, within the years an ID number encodes (1900-2299).
_BIRTH_YEARS = "(?:19|20)[0-9]{2}"
_BIRTH_LEAP_YEARS = "(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:[02468][048]|[13579][26]))"

#: An RFC 3339 moment with its offset, in 2001-2098, to the microsecond at most.
MOMENT_PATTERN = (
    f"^{_calendar_days(_MOMENT_YEARS, _MOMENT_LEAP_YEARS)}"
    "T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?"
    "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$"
)
#: A birth date `YYYY-MM-DD` in 1900-2099.
BIRTH_DATE_PATTERN = f"^{_calendar_days(_BIRTH_YEARS, _BIRTH_LEAP_YEARS)}$"


def _written_as(pattern: str, what: str, kind: type) -> BeforeValidator:
    """A before-validator letting through only strings of `pattern` (`what` says it in
    words), or values of `kind` built in Python."""
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, kind):  # built in Python, not read from a request
            return value
        if not isinstance(value, str):
            raise PydanticCustomError(
                "written_form",
                "must be a string, {what}; not {given}",
                {"what": what, "given": type(value).__name__},
            )
        if compiled.fullmatch(value) is None:
            raise PydanticCustomError("written_form", "must be {what}", {"what": what})
        return value

    return BeforeValidator(check)


_MOMENT_WORDS = "an RFC 3339 moment with its offset in 2001-2098, like 2026-03-02T09:30:00+07:00"
_BIRTH_DATE_WORDS = "a calendar day YYYY-MM-DD in 1900-2099, like 1987-05-04"
_MOMENT_SCHEMA = {
    "type": "string",
    "format": "date-time",
    "pattern": MOMENT_PATTERN,
    "description": "RFC 3339 with its offset, in 2001-2098, e.g. 2026-03-02T09:30:00+07:00.",
}

#: A simulated moment in a request: an RFC 3339 string with its offset, in 2001-2098 as
#: written, so that its day in Hanoi can always go into a dossier code (2000-2099).
Moment = Annotated[
    AwareDatetime,
    _written_as(MOMENT_PATTERN, _MOMENT_WORDS, datetime),
    WithJsonSchema(_MOMENT_SCHEMA),
]

#: A birth date in a request: `YYYY-MM-DD`, in 1900-2099.
BirthDate = Annotated[
    date,
    _written_as(BIRTH_DATE_PATTERN, _BIRTH_DATE_WORDS, date),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": BIRTH_DATE_PATTERN,
            "description": "YYYY-MM-DD, in 1900-2099.",
        }
    ),
]

# -- codes from the data ----------------------------------------------------------------

#: The catalogue's procedure codes, in catalogue order.
PROCEDURE_CODES: tuple[str, ...] = tuple(p.code for p in load_catalogue().procedures)


def _known_procedure(value: str) -> str:
    if value not in PROCEDURE_CODES:
        raise ValueError(
            f"procedure_code {value!r} is not in the catalogue of the "
            f"{len(PROCEDURE_CODES)} procedures"
        )
    return value


def _known_unit(value: str) -> str:
    if not is_hanoi_unit(value):
        raise ValueError(f"{value!r} is not one of Hanoi's 30 districts or 579 communes")
    return value


#: A procedure code (mã TTHC) of the catalogue.
ProcedureCode = Annotated[
    str,
    AfterValidator(_known_procedure),
    WithJsonSchema(
        {
            "type": "string",
            "enum": list(PROCEDURE_CODES),
            "description": "Code of a procedure (mã TTHC) in the catalogue.",
        }
    ),
]


def unit_code_schema(description: str) -> WithJsonSchema:
    """The JSON schema of a Hanoi unit code: the pattern of the 30 districts' and 579
    communes' codes."""
    return WithJsonSchema(
        {"type": "string", "pattern": UNIT_CODE_PATTERN, "description": description}
    )


#: The code of a Hanoi district (3 digits) or commune (5 digits).
UnitCode = Annotated[
    str,
    AfterValidator(_known_unit),
    unit_code_schema("Code of a Hanoi district (3 digits) or commune (5 digits)."),
]


class HttpPerson(DeclaredPerson):
    """A declared person as a request carries them: a well-formed ID number when one is
    given, a birth date written `YYYY-MM-DD`."""

    id_number: IdNumberStr | None = Field(
        None,
        description="Declared 12-digit personal ID number (số định danh cá nhân); "
        "none for a foreigner or a newborn.",
        json_schema_extra=TAG_ID_NUMBER,
    )
    birth_date: BirthDate = Field(
        description="Birth date as declared.", json_schema_extra=TAG_BIRTH_DATE
    )

    def declared(self) -> DeclaredPerson:
        """The same person as the contracts' :class:`DeclaredPerson`."""
        return DeclaredPerson.model_validate(self.model_dump())


# -- refusals ---------------------------------------------------------------------------


class ErrorBody(BaseModel):
    """A refusal: what is wrong, in words."""

    detail: str = Field(description="Why the request is refused.")


class FieldError(BaseModel):
    """One invalid field of a request."""

    loc: list[str | int] = Field(description="Where: `body`, `path` or `query`, then the field.")
    msg: str = Field(description="What is wrong with it.")
    type: str = Field(description="Kind of error.")
    input: Any = Field(None, description="The value refused, when it is short.")
    ctx: dict[str, Any] | None = Field(None, description="Details of the error.")


class ValidationErrorBody(BaseModel):
    """A refusal naming the invalid fields."""

    detail: list[FieldError] = Field(description="Each invalid field.")


_REFUSALS: dict[int, str] = {
    400: "The body is not JSON text (for example, it is not UTF-8).",
    401: "No bearer token, or one that is unknown or expired (`WWW-Authenticate: Bearer`).",
    403: "The token's holder may not do this.",
    404: "Not found.",
    409: "The request conflicts with what the service holds.",
    413: "The body is over the service's `max_body_bytes`.",
    422: "A field is invalid: each error's `loc` names it.",
    429: "No dossier codes are left for that unit and day.",
    503: "The service is starting, stopping or not ready yet; try again shortly.",
}
_UNAUTHORIZED_HEADERS = {
    "WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}},
}

#: The refusals of a route reading a JSON body on a public API (body cap and validation).
BODY_REFUSALS = (400, 413, 422)


def refusals(
    *statuses: int, why: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of these error statuses (and those `why` describes).

    Each gets its body model and the usual description, or `why`'s words for it.
    """
    why = why or {}
    documented: dict[int | str, dict[str, Any]] = {}
    for status in sorted({*statuses, *why}):
        response: dict[str, Any] = {
            "model": ValidationErrorBody if status == 422 else ErrorBody,
            "description": why.get(status, _REFUSALS[status]),
        }
        if status == 401:
            response["headers"] = _UNAUTHORIZED_HEADERS
        documented[status] = response
    return documented
