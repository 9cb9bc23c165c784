"""Handing the demand to the services over HTTP, as citizens and desk clerks would.

`concurrency` applicants in flight at once (a city's thousands), each request on the
driver's pooled keep-alive connections. Each applicant opens an account once and keeps the
token its registration gave for the submissions that follow; the portal answers the
registration at once (pending until the identity check is answered) and holds a dossier
submitted meanwhile, so no applicant waits on the check (docs/flow.md). Transient
failures (a service restarting) are retried with backoff for a bounded time.
With an `Availability` (the run's supervisor), a call to a service known to be down
waits for its return first, and that wait spends none of the retry budget.
Items are started in the order of their simulated arrival; desk intakes go one at a time
in that order (a desk's queue depends on the order dossiers reach it), so the same seed
gives the same desk schedule, and the same outcomes, in every run.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import structlog

from simulator.drive.client_trace import ClientTracing, expected_dossier_id
from simulator.drive.driver import DriverError, PortalAccount, PortalDriver
from simulator.drive.http_client import Answer, StatusError, TransportError
from simulator.drive.observations import Observations
from simulator.scenarios.demand import DemandItem

__all__ = ["Availability", "Ingress"]

T = TypeVar("T")
log = structlog.get_logger("portalsim.ingress")
RETRYABLE = (TransportError, StatusError)
#: The service behind each kind of call.
FRONT_DOOR, DESKS = "city_portal", "one_stop"


class Availability(Protocol):
    """Whether a service is up; `simulator.system.supervisor.Supervisor` is one."""

    async def until_up(self, service: str) -> bool:
        """Return once the service is up: True when it had to wait (raise when it is lost)."""
        ...


class Ingress:
    """Submits demand items; records accepted dossiers and refusals in the observations."""

    def __init__(
        self,
        driver: PortalDriver,
        observations: Observations,
        concurrency: int,
        retry_for_s: float = 120.0,
        availability: Availability | None = None,
        holders: str = "holder",
    ) -> None:
        self.driver = driver
        self.holders = holders  # the accounts' client_ref prefix (a variant's: its own)
        self.availability = availability
        self.observations = observations
        self.concurrency = concurrency
        self.retry_for_s = retry_for_s
        self.accounts: dict[str, asyncio.Task[PortalAccount | None]] = {}
        self.tracing: ClientTracing | None = None  # the submissions' client spans, if traced
        self.handed_in = 0
        #: each answered item's dossier id by client ref (None: refused, or nothing handed in)
        self.answered: dict[str, str | None] = {}
        # Desks schedule digitisation by arrival: one intake at a time, in simulated order,
        # or two dossiers racing to the same desk would get each other's slots.
        self._desk_lane = asyncio.Lock()
        self._desk_applicants: set[str] = set()  # who handed in at a desk so far

    async def retrying(self, call: Callable[[], Awaitable[T]], service: str | None = None) -> T:
        """The call's result, retried with backoff on transient failures for `retry_for_s`.

        With `service` (the one called) and an availability, each attempt waits while that
        service is known to be down; after such a wait the retry budget starts afresh.
        """
        delay, waited = 0.1, 0.0
        while True:
            if await self._waited_for(service):
                delay, waited = 0.1, 0.0
            try:
                return await call()
            except RETRYABLE as exc:
                if waited >= self.retry_for_s:
                    raise DriverError(f"gave up after {waited:.0f} s: {exc}") from exc
                await asyncio.sleep(delay)
                waited += delay
                delay = min(delay * 2, 2.0)

    async def _waited_for(self, service: str | None) -> bool:
        """Wait while the service is known to be down; tell whether that took a wait."""
        if self.availability is None or service is None:
            return False
        return await self.availability.until_up(service)

    async def _open_account(self, item: DemandItem) -> PortalAccount | None:
        async def call() -> Answer:
            response = await self.driver.open_account(
                item.account_holder, client_ref=f"{self.holders}:{self._holder_key(item)}"
            )
            if response.status_code >= 500:
                response.raise_for_status()
            return response

        response = await self.retrying(call, FRONT_DOOR)
        answer: dict[str, Any] = response.json()
        if response.status_code in (201, 202):  # active, or pending: its dossiers are held
            return PortalAccount.from_answer(answer)
        reason = answer.get("reason") or answer.get("status") or f"http {response.status_code}"
        self.observations.refused[f"account refused: {reason}"] += 1
        return None

    @staticmethod
    def _holder_key(item: DemandItem) -> str:
        holder = item.account_holder
        return holder.id_number or f"{holder.nationality}:{holder.passport_number}"

    async def account_for(self, item: DemandItem) -> PortalAccount | None:
        """The holder's account and token (opened once), or None when refused."""
        key = self._holder_key(item)
        task = self.accounts.get(key)
        if task is None:
            task = self.accounts[key] = asyncio.create_task(self._open_account(item))
            return await task
        account = await task
        if account is None:
            self.observations.refused["account refused earlier"] += 1
        return account

    async def submit(self, item: DemandItem) -> None:
        """Hand one item in (online or at a desk) and record the outcome.

        An applicant who abandoned online is counted (`Observations.abandoned`); one who
        gave up hands nothing in.
        """
        self.observations.intended[item.intended_channel] += 1
        if item.abandoned:
            self.observations.abandoned[item.abandoned] += 1
        if item.gave_up:
            self.handed_in += 1
            self.answered[item.client_ref] = None
            return
        log.debug("handing in", client_ref=item.client_ref, persons=item.draft.persons)
        try:
            if item.channel == "desk":
                async with self._desk_lane:
                    with self._traced(item, None) as trace:
                        answer = await self.retrying(
                            lambda: self.driver.submit_at_desk(
                                item.unit_code,
                                item.procedure_code,
                                item.draft,
                                item.simtime,
                                item.client_ref,
                                trace,
                            ),
                            DESKS,
                        )
                    self._desk_applicant(item, answer["dossier_id"])
            else:
                account = await self.account_for(item)
                if account is None:
                    self.answered[item.client_ref] = None
                    return
                with self._traced(item, account) as trace:
                    answer = await self.retrying(
                        lambda: self.driver.submit_online(
                            account,
                            item.procedure_code,
                            item.draft,
                            item.simtime,
                            item.client_ref,
                            item.unit_code,
                            trace,
                        ),
                        FRONT_DOOR,
                    )
        except DriverError as exc:
            self.observations.refused[f"submission refused: {str(exc)[:120]}"] += 1
            log.warning("submission refused", client_ref=item.client_ref, error=str(exc)[:300])
            self.answered[item.client_ref] = None
            return
        finally:
            self.handed_in += 1
        self.observations.accepted[answer["dossier_id"]] = answer["dossier_code"]
        self.answered[item.client_ref] = str(answer["dossier_id"])

    def _traced(
        self, item: DemandItem, account: PortalAccount | None
    ) -> contextlib.AbstractContextManager[dict[str, str]]:
        """The client span of an item's submission (`client_trace.py`), or nothing."""
        if self.tracing is None:
            return contextlib.nullcontext({})
        desk = item.channel == "desk"
        dossier_id = expected_dossier_id(
            item.channel, item.client_ref, account.account_id if account else None
        )
        portal, path = (
            (DESKS, f"/desks/{item.unit_code}/dossiers") if desk else (FRONT_DOOR, "/dossiers")
        )
        return self.tracing.submission(dossier_id, item.procedure_code, portal, path)

    def _desk_applicant(self, item: DemandItem, dossier_id: str) -> None:
        """Note a repeat desk applicant's dossier (the same ID number at a desk before)."""
        id_number = item.draft.persons[0].id_number
        if id_number in self._desk_applicants:
            self.observations.repeat_desk.add(dossier_id)
        elif id_number is not None:
            self._desk_applicants.add(id_number)

    async def submit_all(self, items: list[DemandItem]) -> None:
        """Every item, started in order, at most `concurrency` at a time."""
        pending = iter(items)

        async def worker() -> None:
            for item in pending:
                await self.submit(item)

        await asyncio.gather(*(worker() for _ in range(self.concurrency)))
