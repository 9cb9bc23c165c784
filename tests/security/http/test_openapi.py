"""The public APIs' OpenAPI documents say what the routes answer and what they accept.

Every route documents each status it may answer, with its body; each request field's
schema is the rule the service applies, so a request the schema allows is not refused
for its shape and one it forbids is refused with 422 naming the field. The requests
here are the ones an outside fuzzer found answered otherwise than documented.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.security.http.conftest import CityPortal, dossier_body, foreigner
from tests.service.test_one_stop_harness import Desk, intake_body

Operations = list[tuple[str, str, dict[str, Any]]]


def operations(document: dict[str, Any]) -> Operations:
    return [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


async def documents(city: CityPortal, desk: Desk) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("city_portal", (await city.http.get("/openapi.json")).json()),
        ("one_stop", (await desk.client.get("/openapi.json")).json()),
    ]


def error_locations(response: httpx.Response) -> list[list[Any]]:
    return [error["loc"] for error in response.json()["detail"]]


async def test_every_route_documents_each_refusal_with_its_body(
    city: CityPortal, desk: Desk
) -> None:
    for service, document in await documents(city, desk):
        for method, path, operation in operations(document):
            statuses = set(operation["responses"])
            where = f"{service} {method} {path}"
            if operation.get("security"):
                assert "401" in statuses, where
                assert "WWW-Authenticate" in operation["responses"]["401"]["headers"], where
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= statuses, where
            if operation.get("parameters"):
                assert "422" in statuses, where
            for status, response in operation["responses"].items():
                if status >= "400":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema["$ref"].rsplit("/", 1)[1] in {
                        "ErrorBody",
                        "ValidationErrorBody",
                        "AccountAnswer",
                        "Health",
                    }, (where, status)


async def test_the_clock_refuses_a_number_for_a_moment_naming_the_field(desk: Desk) -> None:
    for simtime in (6155619113358, "6155619113358"):
        response = await desk.client.post("/desks/clock", json={"simtime": simtime})  # official
        assert response.status_code == 422, response.text
        assert ["body", "simtime"] in error_locations(response)


async def test_a_queue_moment_given_as_a_number_is_refused_naming_it(desk: Desk) -> None:
    response = await desk.client.get("/desks/001", params={"at": "6155619113358"})
    assert response.status_code == 422
    assert ["query", "at"] in error_locations(response)


async def test_an_empty_id_number_is_refused_and_the_schema_says_so(city: CityPortal) -> None:
    body = {**foreigner("P2000001"), "kind": "citizen", "id_number": ""}
    response = await city.http.post("/accounts", json=body)
    assert response.status_code == 422
    assert ["body", "id_number"] in error_locations(response)
    schema = (await city.http.get("/openapi.json")).json()["components"]["schemas"]
    pattern = schema["AccountRequest"]["properties"]["id_number"]["anyOf"][0]["pattern"]
    assert re.fullmatch(pattern, "") is None
    assert re.fullmatch(pattern, "001087012345") is not None


async def test_a_citizen_without_an_id_number_is_refused_and_the_schema_says_so(
    city: CityPortal,
) -> None:
    body = {**foreigner("P2000002"), "kind": "citizen"}
    body.pop("passport_number")
    response = await city.http.post("/accounts", json=body)
    assert response.status_code == 422
    assert ["body", "id_number"] in error_locations(response)
    schema = (await city.http.get("/openapi.json")).json()["components"]["schemas"]
    citizen = schema["AccountRequest"]["anyOf"][0]
    assert citizen["properties"]["kind"] == {"const": "citizen"}
    assert citizen["required"] == ["id_number"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"procedure_code": "0"}, ["body", "procedure_code"]),
        ({"unit_code": "0000"}, ["body", "unit_code"]),
        # a year no dossier code can carry: was a 500
        ({"submitted_simtime": "2150-01-01T00:00:00+07:00"}, ["body", "submitted_simtime"]),
        ({"submitted_simtime": 6155619113358}, ["body", "submitted_simtime"]),
    ],
)
async def test_a_submission_outside_its_schema_is_refused_naming_the_field(
    city: CityPortal, change: dict[str, Any], field: list[Any]
) -> None:
    account = await city.open_account("P3000001")
    response = await city.submit(account, **change)
    assert response.status_code == 422, response.text
    assert field in error_locations(response)


async def test_a_declared_birth_date_given_as_a_number_is_refused_naming_it(
    city: CityPortal,
) -> None:
    account = await city.open_account("P4000001")
    person = {**dossier_body()["persons"][0], "birth_date": 0}
    response = await city.submit(account, persons=[person])
    assert response.status_code == 422
    assert ["body", "persons", 0, "birth_date"] in error_locations(response)


async def test_the_procedure_codes_of_the_schema_are_the_catalogues(city: CityPortal) -> None:
    schema = (await city.http.get("/openapi.json")).json()["components"]["schemas"]
    codes = schema["DossierRequest"]["properties"]["procedure_code"]["enum"]
    catalogue = (await city.http.get("/procedures")).json()
    assert codes == [p["code"] for p in catalogue]


async def test_an_intake_whose_first_person_is_not_the_applicant_is_refused_as_documented(
    desk: Desk,
) -> None:
    spouse = {**intake_body()["persons"][0], "role": "spouse"}
    response = await desk.client.post("/desks/001/dossiers", json=intake_body(persons=[spouse]))
    assert response.status_code == 422
    assert ["body", "persons"] in error_locations(response)
    schema = (await desk.client.get("/openapi.json")).json()["components"]["schemas"]
    [first] = schema["IntakeRequest"]["properties"]["persons"]["prefixItems"]
    assert {"properties": {"role": {"const": "applicant"}}} in first["allOf"]


async def test_a_wrong_method_on_the_clock_is_405_allowing_post(desk: Desk) -> None:
    response = await desk.client.get("/desks/clock")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
