"""The feeding rule of a single-service replay, on a scripted service (no broker): recorded
order in groups of a tick, answers held for their trigger, the next group after the
service has replied."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import cast

import orjson
from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from simulator.eventlog.format import LogRecord
from simulator.replay.conversation import FeedRecord
from simulator.replay.feed_channel import FeedChannel
from simulator.replay.feeder import Feeder
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


def fed(event_id: str, at: int, *, trigger: str | None = None, replies: int = 0) -> FeedRecord:
    record = event("dossier.settled", "city_portal", event_id, key=event_id, timestamp=at)
    place = ("identity.check.completed", "k", "root", 0) if trigger else None
    return FeedRecord(at, record, trigger, place, replies)


def answer(event_id: str, key: str = "k", cause: str | None = None) -> LogRecord:
    return event("identity.check.completed", SERVICE, event_id, key=key, cause=cause)


async def feed(records: list[FeedRecord], service: ScriptedService, tick_ms: int = 0) -> Feeder:
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
    )
    service.feeder = feeder
    await asyncio.wait_for(feeder.run(lambda: True), 5)
    return feeder


async def test_records_go_in_recorded_order_in_groups_of_one_tick() -> None:
    service = ScriptedService({})
    feeder = await feed([fed("a", 0), fed("b", 50), fed("c", 300)], service, tick_ms=100)
    assert service.fed == ["a", "b", "c"]
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
