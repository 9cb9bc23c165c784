"""Input limits of the public APIs: body size (413), field sizes and unknown fields (422)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from simulator.drive.driver import PortalAccount
from tests.security.http.conftest import CityPortal, bearer, dossier_body
from tests.service.test_one_stop_harness import Desk, intake_body

OVER_64_KIB = 64 * 1024 + 1


def error_locations(answer: dict[str, Any]) -> list[list[Any]]:
    return [error["loc"] for error in answer["detail"]]


async def test_a_body_over_the_limit_gets_413_naming_the_limit(desk: Desk) -> None:
    oversized = intake_body(form={"note": "x" * OVER_64_KIB})
    response = await desk.client.post("/desks/001/dossiers", json=oversized)
    assert response.status_code == 413
    assert "65536 bytes" in response.json()["detail"]


async def test_a_chunked_body_over_the_limit_gets_413(city: CityPortal) -> None:
    account = await city.open_account("P1000001")

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(OVER_64_KIB // 4096 + 1):
            yield b" " * 4096

    response = await city.http.post("/dossiers", content=chunks(), headers=bearer(account.token))
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


async def test_an_over_long_string_gets_422_naming_the_field(city: CityPortal) -> None:
    account = await city.open_account("P1000002")
    person = {**dossier_body()["persons"][0], "full_name": "N" * 201}
    response = await city.submit(account, persons=[person])
    assert response.status_code == 422
    assert ["body", "persons", 0, "full_name"] in error_locations(response.json())


async def test_an_over_long_form_value_gets_422_naming_its_key(desk: Desk) -> None:
    response = await desk.client.post(
        "/desks/001/dossiers", json=intake_body(form={"address": "x" * 1001})
    )
    assert response.status_code == 422
    assert any(loc[:3] == ["body", "form", "address"] for loc in error_locations(response.json()))


async def test_too_many_persons_get_422_naming_the_field(city: CityPortal) -> None:
    account = await city.open_account("P1000003")
    response = await city.submit(account, persons=dossier_body()["persons"] * 9)
    assert response.status_code == 422
    assert ["body", "persons"] in error_locations(response.json())


async def test_too_many_form_fields_get_422_naming_the_field(desk: Desk) -> None:
    form = {f"field_{n}": "x" for n in range(51)}
    response = await desk.client.post("/desks/001/dossiers", json=intake_body(form=form))
    assert response.status_code == 422
    assert ["body", "form"] in error_locations(response.json())


async def test_an_unknown_field_gets_422_naming_it(city: CityPortal) -> None:
    account: PortalAccount = await city.open_account("P1000004")
    response = await city.submit(account, priority="urgent")
    assert response.status_code == 422
    assert ["body", "priority"] in error_locations(response.json())


async def test_an_unknown_field_of_a_nested_person_gets_422_naming_it(desk: Desk) -> None:
    person = {**intake_body()["persons"][0], "nickname": "An"}
    response = await desk.client.post("/desks/001/dossiers", json=intake_body(persons=[person]))
    assert response.status_code == 422
    assert ["body", "persons", 0, "nickname"] in error_locations(response.json())


async def test_an_unknown_field_of_a_registration_gets_422_naming_it(city: CityPortal) -> None:
    body = {**dossier_body()["persons"][0], "kind": "foreigner", "is_admin": True}
    del body["role"]
    response = await city.http.post("/accounts", json=body)
    assert response.status_code == 422
    assert ["body", "is_admin"] in error_locations(response.json())
