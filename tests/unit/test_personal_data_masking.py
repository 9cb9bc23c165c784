"""The masking of personal data in log lines (services/kit/masking.py, services/kit/logging.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

import orjson
import pytest
import structlog
from pydantic import BaseModel, Field, ValidationError

from contracts.people import DeclaredPerson, PersonRole, Sex
from contracts.personal_data import TAG_NAME
from services.kit import masking
from services.kit.masking import Masker, masker, register_personal_models

ID = "001203004567"
NAME = "Nguyễn Văn An"
PERSON = DeclaredPerson(
    role=PersonRole.APPLICANT,
    id_number=ID,
    full_name=NAME,
    birth_date=date(1990, 5, 17),
    sex=Sex.MALE,
)


def masked(**values: object) -> dict[str, object]:
    return dict(masker(None, "info", dict(values)))


def test_an_id_number_keeps_its_first_3_and_last_3_digits() -> None:
    assert masked(id_number=ID)["id_number"] == "001******567"


def test_a_12_digit_run_in_any_string_is_masked_as_an_id_number() -> None:
    assert masked(event=f"checked {ID}, done")["event"] == "checked 001******567, done"


def test_a_longer_digit_run_is_not_taken_for_an_id_number() -> None:
    assert masked(note="1764441600123")["note"] == "1764441600123"


def test_a_name_is_hidden_wholly() -> None:
    assert masked(full_name=NAME)["full_name"] == "***"


def test_a_birth_date_keeps_only_its_year() -> None:
    assert masked(birth_date=date(1990, 5, 17))["birth_date"] == "1990-**-**"


def test_a_passport_number_keeps_only_its_last_2_characters() -> None:
    assert masked(passport_number="B1234567")["passport_number"] == "***67"


def test_tagged_keys_are_masked_at_any_depth_of_dicts_and_lists() -> None:
    line = masked(batch={"people": [{"full_name": NAME, "id_numbers": [ID, ID]}]})
    assert line["batch"] == {"people": [{"full_name": "***", "id_numbers": ["001******567"] * 2}]}


def test_a_pydantic_model_is_dumped_then_masked() -> None:
    person = masked(person=PERSON)["person"]
    assert isinstance(person, dict)
    assert (person["full_name"], person["id_number"], person["birth_date"]) == (
        "***",
        "001******567",
        "1990-**-**",
    )


def test_tagged_pairs_in_a_repr_or_json_text_are_masked() -> None:
    text = masked(a=repr(PERSON), b=orjson.dumps(PERSON.model_dump(mode="json")).decode())
    assert NAME not in str(text) and "05-17" not in str(text)


def test_a_validation_errors_input_value_is_hidden() -> None:
    with pytest.raises(ValidationError) as caught:
        DeclaredPerson.model_validate({**PERSON.model_dump(), "full_name": NAME * 20})
    assert NAME not in str(masked(error=str(caught.value))["error"])


def test_fields_of_a_registered_model_are_masked_by_their_tag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Visit(BaseModel):
        visitor: str = Field(json_schema_extra=TAG_NAME)

    monkeypatch.setattr(masking, "masker", Masker(masking.masker.fields))
    register_personal_models([Visit])
    assert masking.masker(None, "info", {"visitor": NAME})["visitor"] == "***"


def test_an_exceptions_text_is_masked_in_a_structlog_line(
    configured_logging: Callable[[str], None], capsys: pytest.CaptureFixture[str]
) -> None:
    configured_logging("DEBUG")
    try:
        raise LookupError(f"no person {ID} named {PERSON!r}")
    except LookupError:
        structlog.get_logger("unit").exception("lookup failed")
    line = orjson.loads(capsys.readouterr().err)
    assert "001******567" in line["exception"]
    assert ID not in line["exception"] and NAME not in line["exception"]


def test_a_standard_library_logger_line_is_masked_and_rendered_as_json(
    configured_logging: Callable[[str], None], capsys: pytest.CaptureFixture[str]
) -> None:
    configured_logging("DEBUG")
    logging.getLogger("uvicorn.error").warning("request for %s by %r", ID, PERSON)
    line = orjson.loads(capsys.readouterr().err)
    assert line["logger"] == "uvicorn.error"
    assert "001******567" in line["event"] and NAME not in line["event"]


def test_a_model_in_a_debug_line_is_masked_when_rendered(
    configured_logging: Callable[[str], None], capsys: pytest.CaptureFixture[str]
) -> None:
    configured_logging("DEBUG")
    structlog.get_logger("unit").debug("checking", person=PERSON)
    line = orjson.loads(capsys.readouterr().err)
    assert line["person"]["full_name"] == "***"
