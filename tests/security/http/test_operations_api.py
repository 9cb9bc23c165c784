"""The operations API (`/ops`): only officials change a service's run-time policies.

Every service mounts the same routes (`services.kit.operations`); these tests call the
city portal and the national portal in-process. A request without the official token
is refused with 401; a value the service cannot take with 422 naming the field; an
accepted change is in force at once, reads back, and is published as an event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from contracts.envelope import CloudEvent
from contracts.operations import ServicePolicyChanged
from services.kit.tokens import token_hash
from services.national_portal.app import build_runtime
from services.national_portal.settings import NationalPortalSettings
from tests.security.http.conftest import OFFICIAL_TOKEN, CityPortal, bearer, serving

OFFICIAL = bearer(OFFICIAL_TOKEN)


@pytest.fixture
async def national(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The national portal in-process, knowing the official token."""
    settings = NationalPortalSettings(
        data_dir=tmp_path, official_token_hashes=[token_hash(OFFICIAL_TOKEN)]
    )
    async for client in serving(build_runtime(settings), "http://national"):
        yield client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/ops/policies"),
        ("PATCH", "/ops/policies"),
        ("POST", "/ops/policies/reset"),
        ("POST", "/ops/consumption/pause"),
        ("POST", "/ops/consumption/resume"),
    ],
)
async def test_every_operations_route_refuses_a_caller_without_the_official_token(
    national: httpx.AsyncClient, method: str, path: str
) -> None:
    unsigned = await national.request(method, path, json={})
    wrong = await national.request(method, path, json={}, headers=bearer("not-the-official"))
    assert (unsigned.status_code, wrong.status_code) == (401, 401)
    assert wrong.headers["WWW-Authenticate"] == "Bearer"


async def test_the_policies_read_back_name_each_declared_policy_and_its_default(
    national: httpx.AsyncClient,
) -> None:
    answer = (await national.get("/ops/policies", headers=OFFICIAL)).json()
    assert answer["in_force"] == {
        "rejection_rate": 0.03,
        "late_rate": 0.05,
        "id_card_capacity_per_day": 24_000.0,
    }
    assert answer["defaults"] == answer["in_force"] and answer["consuming"] is True


async def test_a_policy_changed_is_in_force_and_the_defaults_come_back_on_reset(
    national: httpx.AsyncClient,
) -> None:
    changed = await national.patch("/ops/policies", json={"rejection_rate": 0.5}, headers=OFFICIAL)
    assert changed.status_code == 200, changed.text
    assert changed.json()["in_force"]["rejection_rate"] == 0.5
    reset = await national.post("/ops/policies/reset", headers=OFFICIAL)
    assert reset.json()["in_force"]["rejection_rate"] == 0.03


async def test_a_value_out_of_range_is_refused_with_422_naming_the_field(
    national: httpx.AsyncClient,
) -> None:
    answer = await national.patch("/ops/policies", json={"late_rate": 2}, headers=OFFICIAL)
    assert answer.status_code == 422
    assert [e["loc"] for e in answer.json()["detail"]] == [["body", "late_rate"]]


async def test_a_field_that_is_no_run_time_policy_is_refused_with_422_naming_it(
    national: httpx.AsyncClient,
) -> None:
    answer = await national.patch("/ops/policies", json={"http_port": 1}, headers=OFFICIAL)
    assert answer.status_code == 422
    assert ["body", "http_port"] in [e["loc"] for e in answer.json()["detail"]]


async def test_a_routing_override_to_an_unknown_procedure_is_refused_naming_the_field(
    city: CityPortal,
) -> None:
    body = {"routing_overrides": {"9.999999": "national_portal"}}
    answer = await city.http.patch("/ops/policies", json=body, headers=OFFICIAL)
    assert answer.status_code == 422
    assert [e["loc"][:3] for e in answer.json()["detail"]] == [
        ["body", "routing_overrides", "9.999999"]
    ]
    read = (await city.http.get("/ops/policies", headers=OFFICIAL)).json()
    assert read["in_force"]["routing_overrides"] == {}


async def test_pausing_and_resuming_consumption_read_back(national: httpx.AsyncClient) -> None:
    paused = (await national.post("/ops/consumption/pause", headers=OFFICIAL)).json()
    resumed = (await national.post("/ops/consumption/resume", headers=OFFICIAL)).json()
    assert (paused["consuming"], resumed["consuming"]) == (False, True)


def test_the_change_event_is_a_versioned_contract() -> None:
    event = ServicePolicyChanged(
        service="national_portal",
        replica="r",
        kind="policies",
        changed={"rejection_rate": 0.5},
        in_force={"rejection_rate": 0.5, "late_rate": 0.05},
        consuming=True,
    )
    assert ServicePolicyChanged.VERSION == 1
    assert CloudEvent[ServicePolicyChanged].model_fields["data"] is not None
    assert event.kind.value == "policies"
