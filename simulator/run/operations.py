"""A run's policies and faults, applied through the services' operations API (`/ops`).

One path for local runs and runs against a deployment: the scenario's run-time policies
(each service's `POLICY` fields, from `service_settings`) are set with `PATCH
/ops/policies` on every replica the run can reach, read back, and compared; what a
service does not take (no such policy, a 422, another value read back) makes the run
refuse to start, naming it (`PoliciesNotAppliedError`). Faults pause and resume a
service's consumption. After the run every service is reset to its defaults and
consumes again, and that is read back too. The report states what was read back.
A replay does again what a recorded `service.policy.changed` did (`redo`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from contracts.operations import OperationKind, ServicePolicyChanged
from simulator.drive.driver import replica_urls
from simulator.system.settings import SERVICE_NAMES

__all__ = ["Operations", "PoliciesNotAppliedError"]


class PoliciesNotAppliedError(RuntimeError):
    """A setting of the scenario that a service cannot apply: the run does not start."""


#: Seconds an idle connection to a service is kept (uvicorn closes it after 5).
KEEPALIVE_S = 2.0


class Operations:
    """HTTP client of the `/ops` routes of every service (every replica) of a run."""

    def __init__(self, urls: Mapping[str, str], token: str | None, timeout: float = 15.0) -> None:
        self.urls = {name: replica_urls(urls, name) for name in SERVICE_NAMES if name in urls}
        self.token = token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # idle connections dropped before uvicorn's own 5 s keep-alive ends them: at the same
        # 5 s (httpx's default) a call after a short run raced the server's close
        limits = httpx.Limits(keepalive_expiry=KEEPALIVE_S)
        self.client = httpx.AsyncClient(headers=headers, timeout=timeout, limits=limits)

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()

    async def _call(self, method: str, url: str, body: Any = None) -> dict[str, Any]:
        try:
            try:
                answer = await self.client.request(method, url, json=body)
            except httpx.RemoteProtocolError:  # a pooled connection the server closed
                answer = await self.client.request(method, url, json=body)  # (idempotent)
        except httpx.HTTPError as exc:
            raise PoliciesNotAppliedError(f"{url}: unreachable ({exc})") from None
        if answer.status_code == 401:
            raise PoliciesNotAppliedError(
                f"{url}: the official token is refused (set PORTALSIM_OFFICIAL_TOKEN to the "
                "token whose hash the services have: `portalsim tokens`)"
            )
        if answer.status_code == 404:
            raise PoliciesNotAppliedError(f"{url}: no operations API (a service too old?)")
        if answer.status_code == 422:
            fields = [".".join(map(str, e["loc"][1:])) for e in answer.json()["detail"]]
            raise PoliciesNotAppliedError(f"{url}: refused {', '.join(fields)}: {answer.text}")
        if answer.status_code != 200:
            raise PoliciesNotAppliedError(f"{url}: answered {answer.status_code}: {answer.text}")
        state: dict[str, Any] = answer.json()
        return state

    async def _each(self, service: str, method: str, path: str, body: Any = None) -> list[Any]:
        urls = self.urls[service]
        return list(await asyncio.gather(*(self._call(method, u + path, body) for u in urls)))

    async def read(self) -> dict[str, dict[str, Any]]:
        """Each service's state as read back (its first replica's; all must agree)."""
        read: dict[str, dict[str, Any]] = {}
        for service in self.urls:
            states = await self._each(service, "GET", "/ops/policies")
            first = states[0]
            if any(s["in_force"] != first["in_force"] for s in states):
                raise PoliciesNotAppliedError(f"{service}: its replicas disagree on its policies")
            read[service] = {
                "in_force": first["in_force"],
                "defaults": first["defaults"],
                "consuming": all(s["consuming"] for s in states),
            }
        return read

    async def apply(self, wanted: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """Set the wanted policies, read them back, and check each: the state read back."""
        if not self.token:
            raise PoliciesNotAppliedError(
                "no official token: the operations API needs PORTALSIM_OFFICIAL_TOKEN"
            )
        before = await self.read()
        for service, values in wanted.items():
            if service not in self.urls:
                continue
            missing = sorted(set(values) - set(before[service]["in_force"]))
            if missing:
                names = ", ".join(f"{service}.{m}" for m in missing)
                raise PoliciesNotAppliedError(f"{names}: not a run-time policy of the service")
            await self._each(service, "PATCH", "/ops/policies", dict(values))
            await self._each(service, "POST", "/ops/consumption/resume")
        after = await self.read()
        for service, values in wanted.items():
            if service not in after:
                continue
            for name, value in values.items():
                if after[service]["in_force"][name] != value:
                    got = after[service]["in_force"][name]
                    raise PoliciesNotAppliedError(f"{service}.{name}: set {value}, read back {got}")
        return after

    async def restore(self) -> dict[str, dict[str, Any]]:
        """Every service back to its defaults and consuming; the state read back."""
        for service in self.urls:
            await self._each(service, "POST", "/ops/policies/reset")
            await self._each(service, "POST", "/ops/consumption/resume")
        return await self.read()

    async def pause(self, service: str) -> None:
        """Stop the service's consumption (every replica)."""
        await self._each(service, "POST", "/ops/consumption/pause")

    async def resume(self, service: str) -> None:
        """Let the service consume again (every replica)."""
        await self._each(service, "POST", "/ops/consumption/resume")

    async def redo(self, change: ServicePolicyChanged, own: Mapping[str, Any]) -> None:
        """Do again on every replica what a recorded change did, and check it read back;
        the policies in `own` (the replay's own, e.g. `--policy`) stay as they are."""
        service = change.service
        if service not in self.urls:
            raise PoliciesNotAppliedError(f"{service}: no such service in the system replayed into")
        if change.kind is OperationKind.PAUSED:
            await self.pause(service)
            return
        if change.kind is OperationKind.RESUMED:
            await self.resume(service)
            return
        if change.kind is OperationKind.RESET:
            await self._each(service, "POST", "/ops/policies/reset")
            wanted = dict(own)
        else:
            wanted = {name: v for name, v in change.changed.items() if name not in own}
        if not wanted:
            return
        for state in await self._each(service, "PATCH", "/ops/policies", wanted):
            for name, value in wanted.items():
                if state["in_force"].get(name) != value:
                    got = state["in_force"].get(name)
                    raise PoliciesNotAppliedError(f"{service}.{name}: set {value}, read back {got}")
