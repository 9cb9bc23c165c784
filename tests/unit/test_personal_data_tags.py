"""Personal fields are tagged in the contracts, and the tags say how to mask them."""

from __future__ import annotations

from typing import cast

import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field

from contracts.personal_data import (
    FORM_PERSONAL_KEYS,
    TAG_FORM,
    TAG_ID_NUMBER,
    TAG_NAME,
    PersonalData,
    looks_personal,
    personal_fields,
    untagged_personal_fields,
)
from contracts.topics import personal_fields_of_topics
from services.kit.masking import http_models


class _Parent(BaseModel):
    mother_name: str


class _Child(BaseModel):
    full_name: str = Field(json_schema_extra=TAG_NAME)


class _Family(BaseModel):
    children: list[_Child | None]


def test_every_field_that_looks_personal_is_tagged(
    project_models: list[type[BaseModel]],
) -> None:
    assert untagged_personal_fields(project_models) == []


def test_an_untagged_personal_looking_field_is_reported() -> None:
    assert untagged_personal_fields([_Parent]) == [f"{_Parent.__module__}._Parent.mother_name"]


def test_the_registry_map_reaches_models_nested_in_payloads() -> None:
    fields = personal_fields_of_topics()
    assert fields["spouse_id_number"] is PersonalData.ID_NUMBER  # PersonFacts in a record
    assert fields["father_id_number"] is PersonalData.ID_NUMBER  # in a settlement's union
    assert fields["full_name"] is PersonalData.NAME
    assert fields["birth_date"] is PersonalData.BIRTH_DATE
    assert fields["passport_number"] is PersonalData.PASSPORT_NUMBER


def test_the_map_reaches_models_inside_lists_and_optionals() -> None:
    assert personal_fields([_Family]) == {"full_name": PersonalData.NAME}


def test_one_field_name_tagged_with_two_kinds_is_refused() -> None:
    class _Other(BaseModel):
        full_name: str = Field(json_schema_extra=TAG_ID_NUMBER)

    with pytest.raises(ValueError, match="one field name, one kind"):
        personal_fields([_Child, _Other])


def test_the_request_and_response_models_of_an_http_api_are_found() -> None:
    app = FastAPI()

    @app.post("/families", response_model=_Child)
    def add(family: _Family) -> _Child:
        return _Child(full_name="x")

    assert set(http_models(app)) == {cast(type[BaseModel], _Family), _Child}


def test_a_form_field_tag_makes_its_personal_keys_masked_fields() -> None:
    class _Form(BaseModel):
        form: dict[str, str] = Field(json_schema_extra=TAG_FORM)

    assert personal_fields([_Form]) == FORM_PERSONAL_KEYS


def test_every_form_key_the_demand_fills_in_that_looks_personal_is_tagged(
    small_demand_form_keys: set[str],
) -> None:
    assert {k for k in small_demand_form_keys if looks_personal(k)} <= set(FORM_PERSONAL_KEYS)
