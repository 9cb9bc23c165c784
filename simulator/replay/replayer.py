"""Handing a log's inputs in again, over HTTP like the original (injected ones to Kafka).

Inputs start in their original order, at most `concurrency` at a time. An online
dossier waits for its account to be opened; online dossiers of one unit and day go one
at a time in their recorded order (their dossier codes are numbered in the order the
city portal takes them, and the replay's outputs are matched to the recorded ones by
them); the desk dossiers go one at a time in the
order they were taken in (the desks share one simulated clock, moved on by each intake,
so every desk's queue depends on the order of all intakes, as `Ingress` hands them in).
`Pace` spaces them: `max` as fast as the system takes them, `real` with the original
wall spacing, a factor N with that spacing divided by N. Injected dossiers are signed
again with the replaying system's simulator key (their recorded signature was verified
before), and so are the simulated clock's records (published again as recorded). A
recorded policy change (`service.policy.changed`) is a barrier: the inputs
before it are answered, the change is done again through the operations API (`changes`),
and only then do the inputs after it start.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer

from contracts.events import AccountRegistered, DeskDossierReceived, DossierSubmitted
from contracts.operations import ServicePolicyChanged
from contracts.signing import Signer
from contracts.worktime import HANOI_TZ
from services.kit.kafka_access import simulator_access
from simulator.drive.driver import DriverError, PortalAccount, PortalDriver
from simulator.drive.ingress import Ingress
from simulator.drive.observations import Observations
from simulator.replay.inputs import Input, Inputs
from simulator.scenarios.applicants import DossierDraft

__all__ = ["ChangeApplier", "Pace", "ReplayStats", "Replayer"]

ChangeApplier = Callable[[ServicePolicyChanged], Awaitable[None]]


@dataclass(frozen=True)
class Pace:
    """How fast to replay: `factor` None is max, 1.0 the original wall spacing."""

    factor: float | None

    @classmethod
    def parse(cls, text: str) -> Pace:
        """`max`, `real`, or a positive number (a speed-up factor)."""
        if text == "max":
            return cls(None)
        if text == "real":
            return cls(1.0)
        try:
            factor = float(text)
        except ValueError:
            raise ValueError(f"--speed {text!r}: expected max, real or a positive number") from None
        if not factor > 0:
            raise ValueError(f"--speed {text!r}: the factor must be positive")
        return cls(factor)

    def __str__(self) -> str:
        if self.factor is None:
            return "max"
        return "real" if self.factor == 1.0 else f"{self.factor:g}x"


@dataclass
class ReplayStats:
    """What the replay handed in and what came back."""

    handed_in: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    dossier_ids: set[str] = field(default_factory=set)
    changed_ids: list[tuple[str, str]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    injected_s: float = 0.0

    @property
    def total(self) -> int:
        """Inputs handed in."""
        return sum(self.handed_in.values())


class Replayer:
    """Replays inputs into the services behind `driver` (and the broker for injected ones)."""

    def __init__(
        self,
        driver: PortalDriver,
        bootstrap: str,
        pace: Pace,
        concurrency: int = 32,
        retry_for_s: float = 120.0,
        signer: Signer | None = None,
        changes: ChangeApplier | None = None,
    ) -> None:
        self.driver = driver
        self.changes = changes
        self.signer = signer
        self.bootstrap = bootstrap
        self.pace = pace
        self.concurrency = concurrency
        self.ingress = Ingress(driver, Observations(), concurrency, retry_for_s)
        self.stats = ReplayStats()
        self._accounts: dict[str, asyncio.Task[PortalAccount | None]] = {}
        self._account_inputs: dict[str, Input] = {}
        self._desk_turn: asyncio.Future[None] | None = None  # done when the last intake is
        self._online_turns: dict[tuple[str, date], asyncio.Future[None]] = {}  # unit, day
        self._producer: AIOKafkaProducer | None = None
        self._sends: list[Any] = []
        self._clock = (0, time.monotonic())  # the first input's timestamp, when it started

    async def replay(self, inputs: Inputs) -> ReplayStats:
        """Hand every input in; returns once each has been answered (not yet settled)."""
        items = inputs.items
        self._account_inputs = {i.key: i for i in items if i.kind == "account"}
        if any(i.kind in {"injected", "clock"} for i in items):
            self._producer = AIOKafkaProducer(
                **simulator_access(self.bootstrap).aiokafka_options(), acks="all", linger_ms=5
            )
            await self._producer.start()
        self.stats = ReplayStats()
        try:
            self._clock = (items[0].timestamp if items else 0, time.monotonic())
            batch: list[Input] = []
            for item in items:
                if item.kind != "policy":
                    batch.append(item)
                    continue
                await self._run_all(batch)
                batch = []
                await self._change(item)
            await self._run_all(batch)
        finally:
            if self._producer is not None:
                await self._producer.stop()
        self.stats.injected_s = time.monotonic() - self.stats.started
        desk_times = [i.simtime for i in items if i.kind == "desk" and i.simtime is not None]
        if desk_times:
            end = max(desk_times) + timedelta(days=400)
            await self.ingress.retrying(lambda: self.driver.close_desks(end))
        return self.stats

    async def _run_all(self, items: list[Input]) -> None:
        """Hand these inputs in; returns once each was answered (injected ones sent)."""
        pending = iter(items)

        async def worker() -> None:
            for item in pending:
                await self._due(item)
                await self._one(item)

        await asyncio.gather(*(worker() for _ in range(self.concurrency)))
        if self._sends:
            await asyncio.gather(*self._sends)
            self._sends = []

    async def _due(self, item: Input) -> None:
        if self.pace.factor is not None:
            first, started = self._clock
            due = started + (item.timestamp - first) / 1000 / self.pace.factor
            await asyncio.sleep(max(0.0, due - time.monotonic()))

    async def _change(self, item: Input) -> None:
        change = item.payload
        assert isinstance(change, ServicePolicyChanged)
        await self._due(item)
        if self.changes is not None:
            await self.changes(change)
            self.stats.handed_in["policy"] += 1

    async def _one(self, item: Input) -> None:
        if item.kind == "account":
            await self._account(item.key)
        elif item.kind == "online":
            await self._online(item)
        elif item.kind == "desk":
            await self._desk(item)
        elif item.kind == "injected":
            await self._inject(item)
            self.stats.dossier_ids.add(item.key)
        elif item.kind == "clock":
            await self._inject(item)

    def _account(self, account_id: str) -> asyncio.Task[PortalAccount | None]:
        task = self._accounts.get(account_id)
        if task is None:
            task = asyncio.create_task(self._open(self._account_inputs[account_id]))
            self._accounts[account_id] = task
        return task

    async def _open(self, item: Input) -> PortalAccount | None:
        account = item.payload
        assert isinstance(account, AccountRegistered)

        async def call() -> Any:
            response = await self.driver.open_account(account.person, account.client_ref or "")
            if response.status_code >= 500:
                response.raise_for_status()
            return response

        response = await self.ingress.retrying(call)
        self.stats.handed_in["account"] += 1
        answer = response.json()
        if response.status_code not in (201, 202):  # active, or pending: dossiers are held
            reason = answer.get("reason") or answer.get("status") or response.status_code
            self.stats.refused[f"account refused: {reason}"] += 1
            return None
        return PortalAccount.from_answer(answer)

    async def _online(self, item: Input) -> None:
        sub = item.payload
        assert isinstance(sub, DossierSubmitted) and sub.account_id is not None
        turn = (sub.received_unit, sub.received_simtime.astimezone(HANOI_TZ).date())
        before = self._online_turns.get(turn)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._online_turns[turn] = done
        try:
            if before is not None:
                await before
            account = await self._account(sub.account_id)
            if account is None:
                self.stats.refused["dossier of a refused account"] += 1
                return
            draft = DossierDraft(list(sub.persons), dict(sub.form))
            await self._accepted(
                item,
                lambda: self.driver.submit_online(
                    account,
                    sub.procedure_code,
                    draft,
                    sub.received_simtime,
                    sub.client_ref,  # type: ignore[arg-type]
                    sub.received_unit,
                ),
            )
        finally:
            done.set_result(None)
            if self._online_turns.get(turn) is done:
                del self._online_turns[turn]

    async def _desk(self, item: Input) -> None:
        intake = item.payload
        assert isinstance(intake, DeskDossierReceived)
        before = self._desk_turn
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._desk_turn = done
        try:
            if before is not None:
                await before
            draft = DossierDraft(list(intake.persons), dict(intake.form))
            await self._accepted(
                item,
                lambda: self.driver.submit_at_desk(
                    intake.unit_code,
                    intake.procedure_code,
                    draft,
                    intake.received_simtime,
                    intake.client_ref,  # type: ignore[arg-type]
                ),
            )
        finally:
            done.set_result(None)

    async def _accepted(self, item: Input, call: Any) -> None:
        try:
            answer = await self.ingress.retrying(call)
        except DriverError as exc:
            self.stats.refused[f"{item.kind} dossier refused: {str(exc)[:120]}"] += 1
            return
        finally:
            self.stats.handed_in[item.kind] += 1
        dossier_id = str(answer["dossier_id"])
        self.stats.dossier_ids.add(dossier_id)
        if dossier_id != item.key:
            self.stats.changed_ids.append((item.key, dossier_id))

    async def _inject(self, item: Input) -> None:
        assert self._producer is not None
        record = item.record
        headers = [(k, v.encode()) for k, v in record.headers]
        key = record.key.encode() if record.key is not None else None
        value = record.value_bytes()
        if self.signer is not None and record.value is not None:
            value = orjson.dumps(self.signer.sign(record.value))
        self._sends.append(await self._producer.send(record.topic, value, key=key, headers=headers))
        self.stats.handed_in[item.kind] += 1
