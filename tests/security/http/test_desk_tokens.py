"""Desk clerks' tokens on the one-stop desks: a desk takes dossiers in from its own clerks."""

from __future__ import annotations

import httpx

from simulator.system.tokens import RunCredentials
from tests.security.http.conftest import bearer
from tests.service.test_one_stop_harness import intake_body


async def intake_with(desk_door: httpx.AsyncClient, token: str | None) -> int:
    """The status of an intake at desk 001 made with this token (none: no header)."""
    headers = bearer(token) if token else {}
    response = await desk_door.post("/desks/001/dossiers", json=intake_body(), headers=headers)
    return response.status_code


async def test_an_intake_without_a_token_gets_401_asking_for_one(
    desk_door: httpx.AsyncClient,
) -> None:
    response = await desk_door.post("/desks/001/dossiers", json=intake_body())
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_an_intake_with_another_desks_token_gets_403(
    desk_door: httpx.AsyncClient, desk_credentials: RunCredentials
) -> None:
    assert await intake_with(desk_door, desk_credentials.desk_token("00101")) == 403


async def test_an_intake_with_the_desks_own_token_is_accepted(
    desk_door: httpx.AsyncClient, desk_credentials: RunCredentials
) -> None:
    assert await intake_with(desk_door, desk_credentials.desk_token("001")) == 202


async def test_an_intake_with_an_unknown_token_gets_401(desk_door: httpx.AsyncClient) -> None:
    assert await intake_with(desk_door, "made-up") == 401


async def test_the_clock_refuses_a_desk_token(
    desk_door: httpx.AsyncClient, desk_credentials: RunCredentials
) -> None:
    clerk = bearer(str(desk_credentials.desk_token("001")))
    body = {"simtime": "2026-03-03T08:00:00+07:00"}
    response = await desk_door.post("/desks/clock", json=body, headers=clerk)
    assert response.status_code == 401


async def test_the_clock_moves_with_the_official_token(
    desk_door: httpx.AsyncClient, desk_credentials: RunCredentials
) -> None:
    official = bearer(str(desk_credentials.official))
    body = {"simtime": "2026-03-03T08:00:00+07:00"}
    response = await desk_door.post("/desks/clock", json=body, headers=official)
    assert response.status_code == 200
