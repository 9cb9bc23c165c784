"""The feeding rule of a single-service replay, on a scripted service (no broker): recorded
order in groups of a tick, answers held for their trigger, the next group after the
service has replied, a recorded policy change done between the records around it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import orjson
from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from contracts.operations import OperationKind, ServicePolicyChanged
from simulator.eventlog.format import LogRecord
from simulator.replay.conversation import FeedRecord
from simulator.replay.feed_channel import FeedChannel
from simulator.replay.feeder import Feeder
from simulator.replay.inputs import Input
from simulator.replay.policies import ChangePoints
from tests.unit.conversations import event

SERVICE = "population_db"


@dataclass(frozen=True)
class Published:
    topic: str
    key: bytes | None
    value: bytes


@dataclass
class ScriptedService:
    """Takes what is fed in order and publishes its scripted replies, after `delay_s`."""

    replies: dict[str, list[LogRecord]]
    delay_s: float = 0.0
    fed: list[str] = field(default_factory=list)
    published_at: dict[str, float] = field(default_factory=dict)
    fed_at: dict[str, float] = field(default_factory=dict)
    done_at: dict[str, float] = field(default_factory=dict)  # recorded changes done again
    feeder: Feeder | None = None
    handling: int = 0

    async def send(self, records: list[LogRecord]) -> None:
        for record in records:
            event_id = str((record.value or {})["id"])
            self.fed.append(event_id)
            self.fed_at[event_id] = time.monotonic()
            self.handling += 1
            asyncio.get_running_loop().call_later(self.delay_s, self._reply, event_id)

    def _reply(self, event_id: str) -> None:
        assert self.feeder is not None
        self.handling -= 1
        for reply in self.replies.get(event_id, []):
            value = orjson.dumps(reply.value)
            key = reply.key.encode() if reply.key else None
            self.published_at[str((reply.value or {})["id"])] = time.monotonic()
            self.feeder.observe(
                cast(ConsumerRecord[bytes, bytes], Published(reply.topic, key, value))
            )

    async def behind(self) -> dict[TopicPartition, tuple[int | None, int]]:
        """Committed once handled: a record is handled when its replies are published."""
        return {TopicPartition("t", 0): (0, 1)} if self.handling else {}

    async def end_offsets(self) -> dict[TopicPartition, int]:
        return {}


def fed(
    event_id: str,
    at: int,
    *,
    trigger: str | None = None,
    replies: int = 0,
    topic: str = "dossier.settled",
) -> FeedRecord:
    record = event(topic, "city_portal", event_id, key=event_id, timestamp=at)
    place = ("identity.check.completed", "k", "root", 0) if trigger else None
    return FeedRecord(at, record, trigger, place, replies)


def answer(event_id: str, key: str = "k", cause: str | None = None) -> LogRecord:
    return event("identity.check.completed", SERVICE, event_id, key=key, cause=cause)


async def feed(
    records: list[FeedRecord],
    service: ScriptedService,
    tick_ms: int = 0,
    changes: ChangePoints | None = None,
    inputs_done: Callable[[], bool] = lambda: True,
) -> Feeder:
    async def read_to(ends: dict[TopicPartition, int]) -> bool:
        return True

    feeder = Feeder(
        "unused:1",
        SERVICE,
        records,
        read_to,
        tick_ms=tick_ms,
        quiet_s=0.05,
        channel=cast(FeedChannel, service),
        changes=changes,
    )
    service.feeder = feeder
    await asyncio.wait_for(feeder.run(inputs_done), 5)
    return feeder


async def test_records_go_in_recorded_order_in_groups_of_one_tick() -> None:
    service = ScriptedService({})
    feeder = await feed([fed("a", 0), fed("b", 50), fed("c", 300)], service, tick_ms=100)
    assert service.fed == ["a", "b", "c"]
    assert feeder.stats.groups == 2


async def test_records_of_two_topics_within_one_tick_go_in_groups_one_after_the_other() -> None:
    # a birth's settlement, then the newborn's identity check 55 ms later: on two topics
    # (two partitions, read in no set order) they go in two groups, the check after
    service = ScriptedService({})
    records = [fed("birth", 0), fed("check", 55, topic="identity.check.requested")]
    feeder = await feed(records, service, tick_ms=100)
    assert service.fed == ["birth", "check"]
    assert feeder.stats.groups == 2


async def test_an_answer_waits_for_its_trigger_then_goes_before_the_records_after_it() -> None:
    service = ScriptedService({"y": [answer("ask")]})
    records = [fed("answer", 0, trigger="ask"), fed("y", 20, replies=1), fed("z", 40)]
    feeder = await feed(records, service)
    assert service.fed == ["y", "answer", "z"]
    assert feeder.held == []
    assert feeder.stats.answers_fed == 1


async def test_an_answer_whose_trigger_never_comes_is_not_fed() -> None:
    service = ScriptedService({})
    feeder = await feed([fed("answer", 0, trigger="never"), fed("y", 20)], service)
    assert service.fed == ["y"]
    assert [item.event_id for item in feeder.held] == ["answer"]


async def test_an_answer_is_freed_by_its_trigger_published_under_another_id_at_its_place() -> None:
    service = ScriptedService({"y": [answer("ask-caused-otherwise")]})
    feeder = await feed([fed("answer", 0, trigger="ask"), fed("y", 20, replies=1)], service)
    assert service.fed == ["y", "answer"]
    assert feeder.held == []


async def test_the_next_group_waits_until_the_service_has_replied_as_recorded() -> None:
    service = ScriptedService({"x": [answer("reply", key="x", cause="x")]}, delay_s=0.2)
    await feed([fed("x", 0, replies=1), fed("y", 200)], service)
    assert service.fed == ["x", "y"]
    assert service.fed_at["y"] >= service.published_at["reply"]


def policy_change(kind: OperationKind, at: int) -> Input:
    """A recorded `service.policy.changed` of the service at Kafka timestamp `at`."""
    change = ServicePolicyChanged(
        service=SERVICE, replica="r", kind=kind, in_force={}, consuming=True
    )
    record = event("service.policy.changed", SERVICE, f"ops-{at}", key=SERVICE, timestamp=at)
    return Input("policy", record.line, at, f"{SERVICE}@{record.line}", change, record)


async def feed_with_changes(
    records: list[FeedRecord], service: ScriptedService, changes: list[Input]
) -> list[tuple[str, list[str]]]:
    """Feed `records` with the recorded `changes` as barriers; each change done, with what
    had been fed by then. The HTTP inputs (none) reach each change at once."""
    done: list[tuple[str, list[str]]] = []

    async def redo(change: ServicePolicyChanged) -> None:
        done.append((change.kind.value, list(service.fed)))
        service.done_at[change.kind.value] = time.monotonic()

    points = ChangePoints(changes, redo, [])

    async def inputs() -> None:
        for item in changes:
            assert isinstance(item.payload, ServicePolicyChanged)
            await points.reached(item.payload)

    replayer = asyncio.create_task(inputs())
    await feed(records, service, 100, points, replayer.done)
    await replayer
    return done


async def test_a_recorded_policy_change_is_done_between_the_records_around_it() -> None:
    service = ScriptedService({})
    records = [fed("a", 0), fed("b", 50), fed("c", 300)]
    changes = [policy_change(OperationKind.POLICIES, 60), policy_change(OperationKind.RESET, 900)]
    done = await feed_with_changes(records, service, changes)
    assert done == [("policies", ["a", "b"]), ("reset", ["a", "b", "c"])]
    assert service.fed == ["a", "b", "c"]


async def test_while_paused_what_is_fed_is_not_waited_for() -> None:
    service = ScriptedService({"b": [answer("b-reply", cause="b")]}, delay_s=0.5)
    records = [fed("a", 0), fed("b", 200, replies=1), fed("c", 400)]
    changes = [policy_change(OperationKind.PAUSED, 100), policy_change(OperationKind.RESUMED, 300)]
    done = await feed_with_changes(records, service, changes)
    assert done == [("paused", ["a"]), ("resumed", ["a", "b"])]
    # b, fed while paused, was not waited for before the resume; c waits for it after
    assert service.done_at["resumed"] < service.published_at["b-reply"] <= service.fed_at["c"]
