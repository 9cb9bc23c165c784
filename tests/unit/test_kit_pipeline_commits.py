"""The kit's pipeline commits every confirmed batch's offsets, also once the traffic stops."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, cast

from aiokafka import TopicPartition

from services.kit.outbox import OutboxPublisher
from services.kit.pipeline import BatchPipeline
from services.kit.store import OutboxRecord


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int


class Confirmed:
    """An outbox whose records are confirmed as soon as they are handed over."""

    async def hand_over(self, records: list[OutboxRecord]) -> Awaitable[int]:
        async def confirmed() -> int:
            return len(records)

        return confirmed()

    def release(self, records: list[OutboxRecord]) -> None:
        raise AssertionError("nothing fails here")


@dataclass
class SlowCommits:
    """A consumer whose commits take a while; what it committed, in order."""

    seconds: float
    committed: list[dict[TopicPartition, int]] = field(default_factory=list)

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        await asyncio.sleep(self.seconds)
        self.committed.append(dict(offsets))


async def test_a_batch_confirmed_during_a_deferred_commit_is_committed_without_more_traffic() -> (
    None
):
    consumer = SlowCommits(seconds=0.03)
    pipeline = BatchPipeline(
        cast(OutboxPublisher, Confirmed()), lambda: consumer, commit_interval_s=0.05
    )

    async def batch(offset: int) -> None:
        await pipeline.submit(cast(Any, [Record("t", 0, offset)]), [])

    await batch(0)  # committed at once
    await asyncio.sleep(0.04)
    await batch(1)  # held back: a deferred commit starts at 0.05 and takes 0.03 s
    await asyncio.sleep(0.02)
    await batch(2)  # confirmed while the deferred commit runs
    await asyncio.sleep(0.4)  # no more traffic
    assert consumer.committed[-1] == {TopicPartition("t", 0): 3}
