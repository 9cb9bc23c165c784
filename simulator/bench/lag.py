"""Consumer-group lag during a run: committed offsets against end offsets, every ~0.5 s.

Lag of a group = the sum over the partitions of its topics of (end offset - committed
offset); a partition the group has not committed yet counts from the offset it had when
sampling began. The largest lag seen per group is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts.topics import TOPICS
from services.kit.kafka_access import simulator_access
from services.kit.topics_admin import topic_partitions

__all__ = ["LagSampler", "group_topics"]


def group_topics() -> dict[str, list[str]]:
    """The topics each service's consumer group reads (groups are named after services)."""
    groups: dict[str, list[str]] = {}
    for registered in TOPICS:
        for consumer in registered.consumers:
            groups.setdefault(str(consumer), []).append(registered.name)
    return groups


@dataclass
class LagSampler:
    """Samples every group's lag in the background; `max_lag` is the largest seen per group."""

    bootstrap: str
    interval_s: float = 0.5
    max_lag: dict[str, int] = field(default_factory=dict)
    samples: int = 0
    errors: int = 0
    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Read the partitions and their current ends, then sample in the background."""
        self._admin = AIOKafkaAdminClient(
            **simulator_access(self.bootstrap).aiokafka_options(), client_id="bench-lag"
        )
        self._ends = AIOKafkaConsumer(
            **simulator_access(self.bootstrap).aiokafka_options(), client_id="bench-lag"
        )
        await self._admin.start()
        await self._ends.start()
        groups = group_topics()
        known = await topic_partitions(
            self.bootstrap, sorted({t for ts in groups.values() for t in ts})
        )
        self._groups = {
            group: [TopicPartition(name, p) for name in names for p in known.get(name, [])]
            for group, names in groups.items()
        }
        every = [tp for tps in self._groups.values() for tp in tps]
        self._floor = await self._ends.end_offsets(list(set(every)))
        self._task = asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            try:
                await self.sample()
            except Exception:  # a transient admin error: the next sample will do
                self.errors += 1
            await asyncio.sleep(self.interval_s)

    async def sample(self) -> dict[str, int]:
        """One reading of every group's lag."""
        every = list({tp for tps in self._groups.values() for tp in tps})
        ends = await self._ends.end_offsets(every)
        lags: dict[str, int] = {}
        for group, partitions in self._groups.items():
            committed = await self._admin.list_consumer_group_offsets(group)
            lag = 0
            for tp in partitions:
                done = committed.get(tp)
                position = done.offset if done is not None and done.offset >= 0 else None
                lag += max(0, ends[tp] - (self._floor[tp] if position is None else position))
            lags[group] = lag
            self.max_lag[group] = max(self.max_lag.get(group, 0), lag)
        self.samples += 1
        return lags

    async def stop(self) -> dict[str, int]:
        """Stop sampling; the largest lag seen per group."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(Exception):
            await self._admin.close()
        with contextlib.suppress(Exception):
            await self._ends.stop()
        return dict(self.max_lag)
