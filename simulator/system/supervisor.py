"""The run's supervisor: notices a service process dying, says so, restarts it or gives up.

It polls the services it was given every `poll_s` seconds on the asyncio loop. A process
that exited without `stop` or `kill` asking it to (`unasked_exit`) has died: the
supervisor prints which one, how and when, and restarts it after the back-off of its
`RestartPolicy` (`simulator.system.restarts`), or gives up on it. A service stopped on
purpose (a scenario's fault stops and starts it) is no death: it is left alone until
someone starts it again. Callers ask `until_up(service)` before talking to a service (a
service that is down is waited for; one given up on raises `ServiceLostError`) and run their
work under `guard`, which ends it early when the supervisor gives up.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Protocol, TypeVar

from simulator.system.restarts import Death, RestartMode, RestartPolicy, Supervision

__all__ = ["ServiceLostError", "State", "Supervised", "Supervisor"]

T = TypeVar("T")


class Supervised(Protocol):
    """A service process as the supervisor sees it (`ServiceProcess` is one)."""

    @property
    def name(self) -> str: ...

    @property
    def process_name(self) -> str: ...

    @property
    def pid(self) -> int | None: ...

    @property
    def stopped_on_purpose(self) -> bool: ...

    def unasked_exit(self) -> int | None: ...

    def start(self) -> None: ...

    async def healthy(self) -> bool: ...


class State(StrEnum):
    """Where a supervised service stands."""

    UP = "up"
    STARTING = "starting"  # running again, not yet answering /healthz
    BACKOFF = "backoff"  # died; restarted when its delay has passed
    STOPPED = "stopped"  # stopped on purpose (a fault); not restarted by the supervisor
    LOST = "lost"  # died and will not come back: the run ends


class ServiceLostError(RuntimeError):
    """A service died and the supervisor gave up on it."""

    def __init__(self, death: Death, reason: str) -> None:
        super().__init__(
            f"{death.process or death.service} died ({death.exit}, pid {death.pid}) "
            f"{death.at_wall_s:.1f} s "
            f"into the run and was not restarted: {reason}"
        )
        self.death = death
        self.reason = reason


@dataclass
class _Watch:
    service: Supervised
    state: State = State.UP
    restarts_at: list[float] = field(default_factory=list)
    death: Death | None = None  # the death being handled (until the service is back)
    restart_due: float = 0.0
    starting_since: float = 0.0


class Supervisor:
    """Watches services, restarts the dead ones by its policy; `async with` runs it."""

    def __init__(
        self,
        services: Iterable[Supervised],
        policy: RestartPolicy,
        *,
        started: float | None = None,
        say: Callable[[str], None] = lambda _: None,
        poll_s: float = 0.25,
    ) -> None:
        self.policy = policy
        self.record = Supervision(policy)
        self.started = time.monotonic() if started is None else started
        self.poll_s = poll_s
        self._say = say
        self._watches = {service.process_name: _Watch(service) for service in services}
        self._changed = asyncio.Condition()
        self._lost = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Supervisor:
        self._task = asyncio.create_task(self._watch_loop())
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def state(self, process: str) -> State:
        """A service process's state now (by its process name)."""
        return self._watches[process].state

    async def until_up(self, service: str) -> bool:
        """Return once a process of the service (one of its replicas) is up: False at once
        when one is (or the service is not supervised), True after waiting for it.

        Raises `ServiceLostError` when the supervisor gives up on one instead.
        """
        watches = [w for w in self._watches.values() if w.service.name == service]

        def up() -> bool:
            return any(watch.state is State.UP for watch in watches)

        if not watches:
            return False
        if up():  # as far as the last poll knew: look again now
            for watch in watches:
                await self._refresh(watch)
            if up():
                return False
        async with self._changed:
            await self._changed.wait_for(lambda: up() or self._lost.is_set())
        if not up():
            raise self.lost()
        return True

    def lost(self) -> ServiceLostError:
        """The error of the service given up on (only once one is)."""
        assert self.record.gave_up is not None
        return ServiceLostError(self.record.gave_up, self.record.gave_up_reason or "")

    async def guard(self, work: Awaitable[T]) -> T:
        """The work's result, unless the supervisor gives up first: then `ServiceLostError`."""
        task = asyncio.ensure_future(work)
        lost = asyncio.create_task(self._lost.wait())
        try:
            await asyncio.wait({task, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        if not task.cancelled():
            return task.result()
        raise self.lost()

    async def _watch_loop(self) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(self.poll_s)

    async def tick(self) -> None:
        """Look at every service once and act (the loop does this every `poll_s`)."""
        for watch in self._watches.values():
            await self._refresh(watch)

    async def _refresh(self, watch: _Watch) -> None:
        before = watch.state
        await self._check(watch, time.monotonic())
        if watch.state is not before:
            async with self._changed:
                self._changed.notify_all()

    async def _check(self, watch: _Watch, now: float) -> None:
        service = watch.service
        if watch.state is State.LOST:
            return
        if service.stopped_on_purpose:
            if watch.state is State.BACKOFF:
                self._say(f"{service.process_name} was stopped on purpose before its restart")
            watch.state, watch.death = State.STOPPED, None
            return
        status = service.unasked_exit()
        if status is not None:
            if watch.state is not State.BACKOFF:
                self._died(watch, status, now)
            elif now >= watch.restart_due:
                self._restart(watch, now)
            return
        if watch.state is State.STOPPED:  # started again by whoever stopped it
            watch.state, watch.starting_since = State.STARTING, now
        if watch.state is State.STARTING:
            timeout = self.policy.start_timeout_s
            if await service.healthy():
                self._up(watch, time.monotonic())
            elif watch.death is not None and now - watch.starting_since > timeout:
                self._give_up(watch, watch.death, f"not healthy {timeout:g} s after its restart")

    def _moment(self, now: float) -> tuple[float, int, str]:
        wall_s = now - self.started
        epoch = time.time() - (time.monotonic() - now)
        return wall_s, int(epoch * 1000), datetime.fromtimestamp(epoch).strftime("%H:%M:%S")

    def _died(self, watch: _Watch, status: int, now: float) -> None:
        wall_s, at_ms, clock = self._moment(now)
        service, name = watch.service, watch.service.process_name
        death = Death(service.name, service.pid, status, wall_s, at_ms, process=name)
        self.record.deaths.append(death)
        said = f"[red]{name} died[/red]: {death.exit} (pid {death.pid}) at {clock}, {wall_s:.1f} s"
        delay = self.policy.next_delay(watch.restarts_at, now)
        if delay is None:
            if self.policy.mode is RestartMode.NO:
                reason = "--restart no"
            else:
                window = self.policy.window_s
                reason = f"already restarted {self.policy.max_restarts} times in {window:g} s"
            self._say(said + " into the run")
            self._give_up(watch, death, reason)
            return
        watch.state, watch.death, watch.restart_due = State.BACKOFF, death, now + delay
        self._say(f"{said} into the run; restart {len(watch.restarts_at) + 1} in {delay:g} s")

    def _restart(self, watch: _Watch, now: float) -> None:
        service = watch.service
        try:
            service.start()
        except OSError as exc:
            assert watch.death is not None  # a restart follows a death
            self._give_up(watch, watch.death, f"could not be started again: {exc}")
            return
        watch.restarts_at.append(now)
        self.record.restarts += 1
        watch.state, watch.starting_since = State.STARTING, now
        if watch.death is not None:
            watch.death.restarted_at_wall_s = now - self.started
            watch.death.restarted_pid = service.pid
        self._say(f"restarting {service.process_name} (pid {service.pid})")

    def _up(self, watch: _Watch, now: float) -> None:
        watch.state = State.UP
        death, watch.death = watch.death, None
        if death is None:
            return
        wall_s, at_ms, clock = self._moment(now)
        death.up_at_wall_s, death.up_at_ms = wall_s, at_ms
        self._say(
            f"[green]{death.process} is back[/green] (pid {watch.service.pid}) at {clock}, "
            f"{wall_s:.1f} s into the run: down {wall_s - death.at_wall_s:.1f} s"
        )

    def _give_up(self, watch: _Watch, death: Death, reason: str) -> None:
        name = watch.service.process_name
        watch.state = State.LOST
        self.record.gave_up, self.record.gave_up_reason = death, reason
        self._lost.set()
        self._say(f"[bold red]{name} will not be restarted[/bold red] ({reason}): ending the run")
