"""Personal ID numbers: generation, parsing, consistency with a record, pydantic type."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from contracts.id_numbers import (
    ID_NUMBER_PATTERN,
    MAX_BIRTH_YEAR,
    MIN_BIRTH_YEAR,
    PROVINCE_CODES,
    IdNumberError,
    IdNumberStr,
    Sex,
    generate_id_number,
    id_number_consistency,
    parse_id_number,
)

sexes = st.sampled_from(list(Sex))
birth_dates = st.dates(min_value=date(MIN_BIRTH_YEAR, 1, 1), max_value=date(MAX_BIRTH_YEAR, 12, 31))
provinces = st.sampled_from(sorted(PROVINCE_CODES))
rngs = st.integers(min_value=0, max_value=2**32).map(random.Random)


@given(sex=sexes, birth=birth_dates, province=provinces, rng=rngs)
def test_generated_number_parses_back_to_sex_birth_year_and_province(
    sex: Sex, birth: date, province: str, rng: random.Random
) -> None:
    parsed = parse_id_number(generate_id_number(sex, birth, province, rng=rng))
    assert (parsed.sex, parsed.birth_year, parsed.province_code) == (sex, birth.year, province)


@given(sex=sexes, birth=birth_dates, rng=rngs)
def test_generated_number_is_consistent_with_its_own_record(
    sex: Sex, birth: date, rng: random.Random
) -> None:
    assert id_number_consistency(generate_id_number(sex, birth, rng=rng), sex, birth) == []


def test_generation_is_deterministic_given_the_rng_seed() -> None:
    first = generate_id_number(Sex.FEMALE, 1987, rng=random.Random(7))
    second = generate_id_number(Sex.FEMALE, 1987, rng=random.Random(7))
    assert first == second


def test_known_number_parses_into_its_parts() -> None:
    parsed = parse_id_number("001087012345")
    assert parsed.province_code == "001"
    assert parsed.province_name == "Hà Nội"
    assert parsed.sex is Sex.MALE
    assert parsed.birth_year == 1987
    assert parsed.serial == "012345"


def test_century_digit_3_is_a_woman_born_in_the_2000s() -> None:
    parsed = parse_id_number("079305000001")
    assert (parsed.sex, parsed.birth_year) == (Sex.FEMALE, 2005)


def test_province_table_has_the_63_provinces() -> None:
    assert len(PROVINCE_CODES) == 63


@pytest.mark.parametrize(
    ("value", "reason", "fragment"),
    [
        (1234, "not_a_string", "must be a string, not int"),
        ("", "empty", "must not be empty"),
        ("00108701234", "wrong_length", "11 characters given"),
        ("0010870123456", "wrong_length", "13 characters given"),
        ("00108701234a", "non_digit", "non-digit at position 12"),
        (" 01087012345", "non_digit", "non-digit at position 1"),
        ("003087012345", "unknown_province", "unknown province code '003'"),
        ("001887012345", "bad_century_sex", "digit 4) is 8"),
        ("001987012345", "bad_century_sex", "digit 4) is 9"),
    ],
)
def test_malformed_number_is_rejected_with_its_reason_and_message(
    value: object, reason: str, fragment: str
) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(value)  # type: ignore[arg-type]
    assert caught.value.reason == reason
    assert fragment in str(caught.value)


def test_error_message_does_not_repeat_the_full_number() -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number("003087012345")
    assert "003087012345" not in str(caught.value)


@given(sex=sexes, birth=birth_dates, rng=rngs)
def test_number_of_the_other_sex_is_a_sex_mismatch(
    sex: Sex, birth: date, rng: random.Random
) -> None:
    other = Sex.FEMALE if sex is Sex.MALE else Sex.MALE
    value = generate_id_number(other, birth, rng=rng)
    assert id_number_consistency(value, sex, birth) == ["sex"]


@given(
    sex=sexes,
    birth=birth_dates,
    shift=st.integers(min_value=1, max_value=150),
    rng=rngs,
)
def test_number_of_another_birth_year_is_a_birth_date_mismatch(
    sex: Sex, birth: date, shift: int, rng: random.Random
) -> None:
    value = generate_id_number(sex, birth, rng=rng)
    recorded = birth.replace(year=birth.year + shift, day=min(birth.day, 28))
    assert id_number_consistency(value, sex, recorded) == ["birth_date"]


def test_number_disagreeing_with_both_reports_both_fields() -> None:
    value = generate_id_number(Sex.MALE, date(1990, 5, 1), rng=random.Random(1))
    assert id_number_consistency(value, Sex.FEMALE, date(1991, 5, 1)) == ["sex", "birth_date"]


def test_generation_refuses_a_year_the_number_cannot_encode() -> None:
    with pytest.raises(IdNumberError) as caught:
        generate_id_number(Sex.MALE, 1899, rng=random.Random(0))
    assert caught.value.reason == "birth_year_out_of_range"


def test_generation_refuses_an_unknown_province() -> None:
    with pytest.raises(IdNumberError) as caught:
        generate_id_number(Sex.MALE, 1990, "003", rng=random.Random(0))
    assert caught.value.reason == "unknown_province"


class _Citizen(BaseModel):
    id_number: IdNumberStr


def test_pydantic_field_accepts_a_well_formed_number() -> None:
    assert _Citizen(id_number="001087012345").id_number == "001087012345"


@pytest.mark.parametrize(
    ("value", "reason", "fragment"),
    [
        ("00108701234", "wrong_length", "11 characters given"),
        ("003087012345", "unknown_province", "unknown province code '003'"),
        ("001987012345", "bad_century_sex", "digit 4) is 9"),
    ],
)
def test_pydantic_field_rejects_a_malformed_number_with_the_message(
    value: str, reason: str, fragment: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _Citizen(id_number=value)
    (error,) = caught.value.errors()
    assert error["type"] == "id_number"
    assert error["loc"] == ("id_number",)
    assert fragment in error["msg"]
    assert error.get("ctx", {}).get("reason") == reason


def test_pydantic_json_schema_states_the_rule_as_its_pattern() -> None:
    schema = _Citizen.model_json_schema()["properties"]["id_number"]
    assert schema["pattern"] == ID_NUMBER_PATTERN


def _parses(value: str) -> bool:
    try:
        parse_id_number(value)
    except IdNumberError:
        return False
    return True


@given(
    value=st.text(alphabet="0123456789", min_size=11, max_size=13)
    | st.from_regex(r"\A0[0-9]{2}[0-9]{9}\Z")
    | st.from_regex(ID_NUMBER_PATTERN, fullmatch=True)
)
def test_the_pattern_matches_exactly_the_numbers_that_parse(value: str) -> None:
    assert (re.fullmatch(ID_NUMBER_PATTERN, value) is not None) == _parses(value)
