"""The run's supervisor with fake service processes: deaths noticed, restarted, given up on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from simulator.system.restarts import RestartMode, RestartPolicy
from simulator.system.supervisor import ServiceLostError, State, Supervisor
from tests.faults.waiting import wait_until

FAST = RestartPolicy(first_delay_s=0.01, max_delay_s=0.04, max_restarts=3, window_s=60)


@dataclass
class FakeService:
    """A service process in memory: it dies, starts and answers health as told."""

    name: str
    replica: str = ""
    pid: int = 1000
    exit_status: int | None = None
    stopped_on_purpose: bool = False
    dies_on_start: bool = False
    starts: list[int] = field(default_factory=list)

    @property
    def process_name(self) -> str:
        return self.replica or self.name

    def die(self, status: int = -9) -> None:
        self.exit_status = status

    def unasked_exit(self) -> int | None:
        return None if self.stopped_on_purpose else self.exit_status

    def start(self) -> None:
        self.pid += 1
        self.starts.append(self.pid)
        self.stopped_on_purpose = False
        self.exit_status = 1 if self.dies_on_start else None

    def stop(self) -> None:
        self.stopped_on_purpose = True

    async def healthy(self) -> bool:
        return self.exit_status is None and not self.stopped_on_purpose


@dataclass
class Watched:
    supervisor: Supervisor
    service: FakeService
    said: list[str]


async def watched(policy: RestartPolicy) -> AsyncIterator[Watched]:
    service, said = FakeService("national_portal"), list[str]()
    async with Supervisor([service], policy, say=said.append, poll_s=0.01) as supervisor:
        yield Watched(supervisor, service, said)


@pytest.fixture
async def fast() -> AsyncIterator[Watched]:
    """A fake service under a fast on-failure policy (10 ms first delay, 3 restarts)."""
    async for run in watched(FAST):
        yield run


@pytest.fixture
async def slow() -> AsyncIterator[Watched]:
    """A fake service whose first restart waits 0.3 s (long enough to see it down)."""
    async for run in watched(RestartPolicy(first_delay_s=0.3)):
        yield run


@pytest.fixture
async def no_restart() -> AsyncIterator[Watched]:
    """A fake service under `--restart no`."""
    async for run in watched(RestartPolicy(RestartMode.NO)):
        yield run


async def test_a_service_that_dies_is_restarted_and_up_again(fast: Watched) -> None:
    fast.service.die()
    await wait_until(lambda: fast.service.starts != [], 2, "a restart")
    await wait_until(lambda: fast.supervisor.state("national_portal") is State.UP, 2, "up")
    assert fast.supervisor.record.restarts == 1


async def test_a_death_is_recorded_with_its_exit_and_when_the_service_was_back(
    fast: Watched,
) -> None:
    fast.service.die(-9)
    await wait_until(lambda: fast.supervisor.record.deaths != [], 2, "a death")
    death = fast.supervisor.record.deaths[0]
    await wait_until(lambda: death.up_at_wall_s is not None, 2, "back")
    assert (death.service, death.pid, death.exit) == ("national_portal", 1000, "SIGKILL")
    assert death.restarted_pid == 1001
    assert death.restarted_at_wall_s is not None
    assert death.at_wall_s <= death.restarted_at_wall_s <= (death.up_at_wall_s or 0)


async def test_the_console_is_told_which_service_died_how_and_that_it_is_back(
    fast: Watched,
) -> None:
    fast.service.die(-9)
    await wait_until(lambda: any("is back" in line for line in fast.said), 2, "back")
    died = next(line for line in fast.said if "died" in line)
    assert "national_portal" in died
    assert "SIGKILL" in died
    assert "into the run" in died


async def test_a_service_stopped_on_purpose_is_neither_a_death_nor_restarted(
    fast: Watched,
) -> None:
    fast.service.stop()
    await wait_until(lambda: fast.supervisor.state("national_portal") is State.STOPPED, 2, "stop")
    await fast.supervisor.tick()
    assert fast.supervisor.record.deaths == []
    assert fast.service.starts == []


async def test_a_service_started_again_after_a_stop_on_purpose_is_up_without_a_death(
    fast: Watched,
) -> None:
    fast.service.stop()
    await wait_until(lambda: fast.supervisor.state("national_portal") is State.STOPPED, 2, "stop")
    fast.service.start()
    await wait_until(lambda: fast.supervisor.state("national_portal") is State.UP, 2, "up")
    assert fast.supervisor.record.deaths == []


async def test_a_crash_looping_service_is_given_up_after_max_restarts(fast: Watched) -> None:
    fast.service.dies_on_start = True
    fast.service.die(1)
    await wait_until(lambda: fast.supervisor.state("national_portal") is State.LOST, 3, "lost")
    assert fast.supervisor.record.restarts == FAST.max_restarts
    assert len(fast.supervisor.record.deaths) == FAST.max_restarts + 1
    assert "3 times" in (fast.supervisor.record.gave_up_reason or "")


async def test_with_restart_no_the_first_death_is_given_up(no_restart: Watched) -> None:
    no_restart.service.die(-9)
    await wait_until(lambda: no_restart.supervisor.record.gave_up is not None, 2, "given up")
    assert no_restart.service.starts == []
    assert no_restart.supervisor.record.gave_up_reason == "--restart no"


async def test_waiting_for_a_service_that_is_down_returns_once_it_is_back(slow: Watched) -> None:
    slow.service.die()
    await wait_until(lambda: slow.supervisor.state("national_portal") is State.BACKOFF, 2, "down")
    await asyncio.wait_for(slow.supervisor.until_up("national_portal"), 2)
    assert slow.supervisor.state("national_portal") is State.UP
    assert slow.service.starts == [1001]


async def test_waiting_for_a_service_that_just_died_waits_for_its_restart(slow: Watched) -> None:
    slow.service.die()
    await asyncio.wait_for(slow.supervisor.until_up("national_portal"), 2)
    assert slow.service.starts == [1001]


async def test_waiting_for_a_service_given_up_on_raises_naming_it(no_restart: Watched) -> None:
    no_restart.service.die(-9)
    with pytest.raises(ServiceLostError, match=r"national_portal died \(SIGKILL"):
        await asyncio.wait_for(no_restart.supervisor.until_up("national_portal"), 2)


async def test_work_under_guard_ends_early_when_a_service_is_given_up(
    no_restart: Watched,
) -> None:
    forever = asyncio.Event()
    no_restart.service.die(-9)
    with pytest.raises(ServiceLostError, match="--restart no"):
        await asyncio.wait_for(no_restart.supervisor.guard(forever.wait()), 2)


async def test_work_under_guard_gives_its_result_when_nothing_dies(fast: Watched) -> None:
    async def work() -> int:
        return 7

    assert await fast.supervisor.guard(work()) == 7


@pytest.fixture
async def replicas() -> AsyncIterator[tuple[Supervisor, FakeService, FakeService]]:
    """Two replicas of the city portal under a policy slow to restart (0.3 s)."""
    first, second = FakeService("city_portal"), FakeService("city_portal", "city_portal-2")
    async with Supervisor([first, second], RestartPolicy(first_delay_s=0.3), poll_s=0.01) as sup:
        yield sup, first, second


async def test_a_dead_replica_is_recorded_and_restarted_under_its_own_name(
    replicas: tuple[Supervisor, FakeService, FakeService],
) -> None:
    supervisor, first, second = replicas
    second.die()
    await wait_until(lambda: second.starts != [], 3, "a restart")
    await wait_until(lambda: supervisor.state("city_portal-2") is State.UP, 3, "up")
    [death] = supervisor.record.deaths
    assert (death.service, death.process) == ("city_portal", "city_portal-2")
    assert first.starts == []


async def test_waiting_for_a_service_returns_at_once_while_another_replica_is_up(
    replicas: tuple[Supervisor, FakeService, FakeService],
) -> None:
    supervisor, _, second = replicas
    second.die()
    await wait_until(lambda: supervisor.state("city_portal-2") is State.BACKOFF, 2, "down")
    assert await supervisor.until_up("city_portal") is False
