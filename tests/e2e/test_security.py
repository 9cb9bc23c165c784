"""Tokens and input limits on the running services (real processes, real broker)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

from contracts.catalogue import load_catalogue
from simulator.drive.driver import PortalAccount, PortalDriver
from simulator.scenarios.applicants import ApplicantPool
from simulator.system.processes import ServiceCluster
from tests.system import START

TEMPORARY_RESIDENCE = load_catalogue().by_number(4)


async def submitted(
    driver: PortalDriver, pool: ApplicantPool, ref: str
) -> tuple[PortalAccount, dict[str, Any]]:
    """A fresh account (its holder's) and the answer to a dossier it submitted online."""
    draft = pool.draft(TEMPORARY_RESIDENCE)
    response = await driver.open_account(draft.applicant, client_ref=f"security:{ref}")
    assert response.status_code == 201, response.text
    account = PortalAccount.from_answer(response.json())
    answer = await driver.submit_online(account, TEMPORARY_RESIDENCE.code, draft, START, ref)
    return account, answer


async def test_the_holder_reads_their_own_dossier(
    driver: PortalDriver, pool: ApplicantPool
) -> None:
    holder, answer = await submitted(driver, pool, "own")
    view = await driver.dossier(answer["dossier_code"], holder)
    assert view is not None
    assert view["dossier_id"] == answer["dossier_id"]


async def test_another_applicant_gets_404_for_a_dossier_not_theirs(
    driver: PortalDriver, pool: ApplicantPool
) -> None:
    _, answer = await submitted(driver, pool, "theirs")
    stranger, _ = await submitted(driver, pool, "stranger")
    code = answer["dossier_code"]
    peek = await driver.city.get(
        f"/dossiers/{code}", headers={"Authorization": f"Bearer {stranger.token}"}
    )
    assert peek.status_code == 404
    assert peek.json() == {"detail": f"dossier {code!r} is unknown"}


async def test_a_desk_intake_without_a_token_gets_401(driver: PortalDriver) -> None:
    response = await driver.desks.post("/desks/00601/dossiers", json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_a_desk_intake_with_another_desks_token_gets_403(driver: PortalDriver) -> None:
    other_desk = driver.credentials.desk_token("001")
    response = await driver.desks.post(
        "/desks/00601/dossiers", json={}, headers={"Authorization": f"Bearer {other_desk}"}
    )
    assert response.status_code == 403


async def test_a_chunked_body_over_the_limit_gets_413(
    driver: PortalDriver, cluster: ServiceCluster
) -> None:
    official = {"Authorization": f"Bearer {driver.credentials.official}"}

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 4096  # 80 KiB in all, over the 64 KiB limit

    async with httpx.AsyncClient(base_url=cluster.urls["one_stop"]) as desks:
        response = await desks.post("/desks/clock", content=chunks(), headers=official)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


async def test_a_declared_length_over_the_limit_gets_413(cluster: ServiceCluster) -> None:
    async with httpx.AsyncClient(base_url=cluster.urls["city_portal"]) as city:
        response = await city.post("/accounts", content=b" " * (64 * 1024 + 1))
    assert response.status_code == 413
    assert isinstance(response.json()["detail"], str)
