"""Fixtures of the security tests: the city portal and the desks in-process, with tokens.

The services run on FastStream's in-memory broker and are called through
`httpx.ASGITransport`. The city portal admits foreigners, whose accounts are active at
once (no identity check to answer), and knows one official token; the desks know the
run's desk tokens and its official token (`RunCredentials`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.kafka import TestKafkaBroker

from services.city_portal.app import build_runtime
from services.city_portal.settings import CityPortalSettings
from services.city_portal.store import CityPortalStore
from services.kit.runtime import ServiceRuntime
from services.kit.tokens import token_hash
from simulator.drive.driver import PortalAccount
from simulator.system.tokens import RunCredentials
from tests.factories import SIMTIME
from tests.service.test_one_stop_harness import Desk, open_desk

OFFICIAL_TOKEN = "official-token-of-the-security-tests"


@dataclass
class CityPortal:
    """The city portal under test: its client (no token by default) and its store."""

    http: httpx.AsyncClient
    store: CityPortalStore
    data_dir: Path

    async def open_account(self, passport: str) -> PortalAccount:
        """A foreigner's account, active at once, with its token."""
        response = await self.http.post("/accounts", json=foreigner(passport))
        assert response.status_code == 201, response.text
        return PortalAccount.from_answer(response.json())

    async def submit(self, account: PortalAccount, **changes: Any) -> httpx.Response:
        """Submit a dossier as the account's holder."""
        body = {**dossier_body(), **changes}
        return await self.http.post("/dossiers", json=body, headers=bearer(account.token))


def bearer(token: str) -> dict[str, str]:
    """The header of a request made with this token."""
    return {"Authorization": f"Bearer {token}"}


def foreigner(passport: str) -> dict[str, Any]:
    """A foreigner's registration, by passport; the passport is also the client_ref."""
    return {
        "kind": "foreigner",
        "client_ref": passport,
        "passport_number": passport,
        "nationality": "KR",
        "full_name": "Kim Min-jun",
        "birth_date": "1990-01-01",
        "sex": "male",
    }


def dossier_body() -> dict[str, Any]:
    """A valid online submission of a temporary-residence declaration."""
    return {
        "procedure_code": "1.004194",
        "unit_code": "001",
        "persons": [
            {
                "role": "applicant",
                "passport_number": "M7654321",
                "nationality": "KR",
                "full_name": "Kim Min-jun",
                "birth_date": "1990-01-01",
                "sex": "male",
            }
        ],
        "form": {"address": "12 Phố Huế"},
        "submitted_simtime": SIMTIME.isoformat(),
    }


@pytest.fixture
async def city(tmp_path: Path) -> AsyncIterator[CityPortal]:
    """The city portal in-process, foreigners admitted, one official token configured."""
    settings = CityPortalSettings(
        data_dir=tmp_path,
        account_check_wait_seconds=0,
        foreigners_may_register=True,
        official_token_hashes=[token_hash(OFFICIAL_TOKEN)],
    )
    runtime = build_runtime(settings)
    async for client in serving(runtime, "http://city"):
        yield CityPortal(client, runtime.store, tmp_path)  # type: ignore[arg-type]


async def serving(runtime: ServiceRuntime, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the service's HTTP API, in-process, its broker FastStream's in-memory one."""
    runtime.messaging.subscribe()
    async with TestKafkaBroker(runtime.broker):
        runtime.ready.set()
        transport = httpx.ASGITransport(app=runtime.http)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client
    runtime.messaging.worker.close()


@pytest.fixture
def desk_credentials() -> RunCredentials:
    """The run's official token and a token for each of two desks."""
    return RunCredentials.generate(["001", "00101"])


@pytest.fixture
async def desk(tmp_path: Path, desk_credentials: RunCredentials) -> AsyncIterator[Desk]:
    """The one-stop desks in-process; their client calls with the right clerk's token."""
    async for harness in open_desk(tmp_path, desk_credentials, scan_failure_rate=0.0):
        yield harness


@pytest.fixture
async def desk_door(desk: Desk) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the desks' API that sends no token unless a test gives one."""
    transport = httpx.ASGITransport(app=desk.runtime.http)
    async with httpx.AsyncClient(transport=transport, base_url="http://one-stop") as client:
        yield client
