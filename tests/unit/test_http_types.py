"""The request field types of the HTTP APIs: each JSON schema states exactly what is accepted."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from contracts.catalogue import load_catalogue
from contracts.worktime import HANOI_TZ
from services.kit.http_types import (
    BIRTH_DATE_PATTERN,
    MOMENT_PATTERN,
    PROCEDURE_CODES,
    BirthDate,
    ErrorBody,
    Moment,
    ProcedureCode,
    UnitCode,
    ValidationErrorBody,
    refusals,
)

moments: TypeAdapter[datetime] = TypeAdapter(Moment)
birth_dates: TypeAdapter[date] = TypeAdapter(BirthDate)


def accepted(adapter: TypeAdapter[Any], value: Any) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
any_moment = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2110, 12, 31), timezones=offsets
).map(lambda moment: moment.isoformat())


@given(text=any_moment | st.from_regex(MOMENT_PATTERN, fullmatch=True) | st.text(max_size=40))
def test_a_moment_is_accepted_exactly_when_it_matches_its_pattern(text: str) -> None:
    assert accepted(moments, text) == (re.fullmatch(MOMENT_PATTERN, text) is not None)


@given(text=st.from_regex(MOMENT_PATTERN, fullmatch=True))
def test_every_moment_of_the_pattern_falls_on_a_day_a_dossier_code_can_carry(text: str) -> None:
    assert 2000 <= moments.validate_python(text).astimezone(HANOI_TZ).year <= 2099


def test_the_extreme_moments_fall_within_2000_to_2099_in_hanoi() -> None:
    earliest = moments.validate_python("2001-01-01T00:00:00+23:59")
    latest = moments.validate_python("2098-12-31T23:59:59.999999-23:59")
    assert earliest.astimezone(HANOI_TZ).year == 2000
    assert latest.astimezone(HANOI_TZ).year == 2099


@pytest.mark.parametrize(
    "value",
    [
        6155619113358,  # a number is no moment, though pydantic would read it as Unix time
        "6155619113358",
        "2026-03-02T09:30:00",  # no offset
        "2026-03-02 09:30:00+07:00",
        "2026-03-02t09:30:00z",
        "2026-02-29T09:30:00+07:00",  # not a day of 2026
        "2099-03-02T09:30:00+07:00",  # past the years a dossier code carries, whatever the offset
        None,
    ],
)
def test_a_moment_not_written_as_its_pattern_says_is_refused(value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        moments.validate_python(value)
    assert caught.value.errors()[0]["type"] == "written_form"


def test_a_moment_built_in_python_passes_as_it_is() -> None:
    moment = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert moments.validate_python(moment) == moment


@given(day=st.dates(min_value=date(1890, 1, 1), max_value=date(2110, 12, 31)))
def test_a_birth_date_is_accepted_exactly_in_1900_to_2099(day: date) -> None:
    in_range = 1900 <= day.year <= 2099
    assert accepted(birth_dates, day.isoformat()) == in_range
    assert (re.fullmatch(BIRTH_DATE_PATTERN, day.isoformat()) is not None) == in_range


@pytest.mark.parametrize("value", [0, "0", "86400", "1987-5-4", "1987-02-29", "19870504"])
def test_a_birth_date_not_written_yyyy_mm_dd_is_refused(value: Any) -> None:
    assert not accepted(birth_dates, value)


def test_procedure_codes_are_the_catalogues() -> None:
    assert tuple(p.code for p in load_catalogue().procedures) == PROCEDURE_CODES
    schema = TypeAdapter(ProcedureCode).json_schema()
    assert schema["enum"] == list(PROCEDURE_CODES)
    assert accepted(TypeAdapter(ProcedureCode), "1.004194")
    assert not accepted(TypeAdapter(ProcedureCode), "0")


def test_a_unit_code_is_one_of_hanois() -> None:
    units: TypeAdapter[str] = TypeAdapter(UnitCode)
    assert accepted(units, "001") and accepted(units, "00101")
    assert not accepted(units, "000") and not accepted(units, "0000")
    assert "pattern" in units.json_schema()


def test_refusals_document_each_status_with_its_body_model() -> None:
    documented = refusals(401, 413, 422, why={404: "No such dossier."})
    assert list(documented) == [401, 404, 413, 422]
    assert documented[404] == {"model": ErrorBody, "description": "No such dossier."}
    assert documented[422]["model"] is ValidationErrorBody
    assert "WWW-Authenticate" in documented[401]["headers"]
