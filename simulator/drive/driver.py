"""Driving the services over HTTP as citizens and desk clerks would.

One `PortalDriver` holds a pooled keep-alive client (`http_client.HttpClient`) per service
process, with as many connections as requests in flight; every call is bounded by a
timeout, and waiting for settlements polls with a bound instead of sleeping blindly.
An applicant acts with their account's token (`PortalAccount`, from its registration),
a desk clerk with the desk's token, the simulator's reads and clock with the official
token (`RunCredentials`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.people import DeclaredPerson
from simulator.drive.http_client import Answer, HttpClient
from simulator.scenarios.applicants import DossierDraft
from simulator.system.tokens import RunCredentials

__all__ = ["DriverError", "PortalAccount", "PortalDriver", "replica_urls"]

TERMINAL = frozenset({"approved", "rejected", "returned_at_desk"})


class DriverError(RuntimeError):
    """A service answered something the driver did not expect."""


@dataclass(frozen=True)
class PortalAccount:
    """An opened account and the bearer token its registration gave."""

    account_id: str
    token: str

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any]) -> PortalAccount:
        """The account of a `POST /accounts` answer (201 or 202)."""
        return cls(str(answer["account_id"]), str(answer["token"]))


def _bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def replica_urls(urls: Mapping[str, str], service: str) -> list[str]:
    """The URLs of a service's processes: `service`, then its replicas `service-2`, ..."""
    return [urls[service]] + [
        url for name, url in sorted(urls.items()) if name.startswith(service + "-")
    ]


class _Spread:
    """Clients of a service's replicas; each request goes to the next one in turn."""

    def __init__(self, urls: list[str], connections: int, timeout: float) -> None:
        self.clients = [HttpClient(url, connections, timeout) for url in urls]
        self._turn = 0

    def _next(self) -> HttpClient:
        self._turn = (self._turn + 1) % len(self.clients)
        return self.clients[self._turn]

    async def get(self, path: str, headers: Mapping[str, str] | None = None) -> Answer:
        return await self._next().get(path, headers=headers)

    async def post(
        self, path: str, json: Any = None, headers: Mapping[str, str] | None = None
    ) -> Answer:
        return await self._next().post(path, json=json, headers=headers)

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


class PortalDriver:
    """HTTP clients of the city portal and the one-stop desks.

    A service given with replicas (`urls` also naming `city_portal-2`, ...: a cluster's
    `urls`) gets its requests spread over them in turn; they share one store.
    """

    def __init__(
        self,
        urls: Mapping[str, str],
        credentials: RunCredentials | None = None,
        timeout: float = 30.0,
        connections: int = 64,
    ) -> None:
        self.credentials = credentials or RunCredentials()
        # waiting for a free connection is not a failure (no timeout on it)
        self.city = _Spread(replica_urls(urls, "city_portal"), connections, timeout)
        self.desks = _Spread(replica_urls(urls, "one_stop"), connections, timeout)

    async def close(self) -> None:
        """Close the clients."""
        for client in (self.city, self.desks):
            await client.aclose()

    async def __aenter__(self) -> PortalDriver:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open_account(self, person: DeclaredPerson, client_ref: str) -> Answer:
        """Register a citizen account for a person (by ID number); the raw response."""
        body = {
            "kind": "citizen" if person.id_number else "foreigner",
            "client_ref": client_ref,
            "id_number": person.id_number,
            "passport_number": person.passport_number,
            "nationality": person.nationality,
            "full_name": person.full_name,
            "birth_date": person.birth_date.isoformat(),
            "sex": person.sex.value,
        }
        return await self.city.post("/accounts", json={k: v for k, v in body.items() if v})

    async def submit_online(
        self,
        account: PortalAccount,
        procedure_code: str,
        draft: DossierDraft,
        simtime: datetime,
        client_ref: str,
        unit_code: str = "001",
        trace: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Submit a dossier online as the account's holder; the 202 answer (dossier id and code).

        `trace`: the headers of its client span (`client_trace.py`), if traced.
        """
        body = {
            "client_ref": client_ref,
            "procedure_code": procedure_code,
            "unit_code": unit_code,
            "persons": [p.model_dump(mode="json") for p in draft.persons],
            "form": draft.form,
            "submitted_simtime": simtime.isoformat(),
        }
        headers = {**_bearer(account.token), **(trace or {})}
        answer = await self.city.post("/dossiers", json=body, headers=headers)
        return _accepted(answer)

    async def submit_at_desk(
        self,
        unit_code: str,
        procedure_code: str,
        draft: DossierDraft,
        simtime: datetime,
        client_ref: str,
        trace: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Hand a paper dossier in at a one-stop desk; the 202 answer (`trace`: as online)."""
        body = {
            "client_ref": client_ref,
            "procedure_code": procedure_code,
            "persons": [p.model_dump(mode="json") for p in draft.persons],
            "form": draft.form,
            "received_simtime": simtime.isoformat(),
        }
        clerk = {**_bearer(self.credentials.desk_token(unit_code)), **(trace or {})}
        return _accepted(
            await self.desks.post(f"/desks/{unit_code}/dossiers", json=body, headers=clerk)
        )

    async def close_desks(self, simtime: datetime) -> None:
        """Tell the desks the simulated clock reached `simtime` (publishes the last departures)."""
        response = await self.desks.post(
            "/desks/clock",
            json={"simtime": simtime.isoformat()},
            headers=_bearer(self.credentials.official),
        )
        response.raise_for_status()

    async def dossier(
        self, code: str, account: PortalAccount | None = None
    ) -> dict[str, Any] | None:
        """The city portal's view of a dossier (None while it does not know it), read with
        the account's token, else the official one."""
        token = account.token if account else self.credentials.official
        response = await self.city.get(f"/dossiers/{code}", headers=_bearer(token))
        if response.status_code == 404:
            return None
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def wait_settled(
        self, codes: Iterable[str], within: float = 120.0
    ) -> dict[str, dict[str, Any]]:
        """Each dossier's view once it has a settlement; TimeoutError naming the open ones."""
        pending = set(codes)
        done: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + within
        while pending:
            for code in sorted(pending):
                view = await self.dossier(code)
                if view is not None and view.get("settlement") is not None:
                    done[code] = view
            pending -= set(done)
            if not pending:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(pending)} dossiers still open: {sorted(pending)[:20]}")
            await asyncio.sleep(0.1)
        return done


def _accepted(response: Answer) -> dict[str, Any]:
    if response.status_code >= 500:
        response.raise_for_status()
    if response.status_code != 202:
        raise DriverError(f"{response.url}: {response.status_code} {response.text[:500]}")
    result: dict[str, Any] = response.json()
    return result
