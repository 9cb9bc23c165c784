"""Feeding one service what it heard in a recorded run, in the order it heard it.

The feeding rule (a replay into one service alone, `simulator.replay.alone`):

1. The records go in recorded order (Kafka timestamp, then line), each as it was
   recorded: same topic, partition, key, headers and value, signed by its producer.
2. A record that answers the service (it has a trigger, `simulator.replay.conversation`)
   is held until the service has published its trigger again: an event with the
   trigger's id (ids derive from their cause, so an unchanged service publishes it under
   the recorded id) or at the trigger's place (`simulator.eventlog.places`: the same
   event caused by another of two racing inputs). It then goes with the next group,
   before the records recorded after it. A record whose trigger never comes (the
   changed service did not ask) is never fed.
3. The records go in groups: consecutive records of one topic within `tick_ms` of the
   group's first in recorded time (records of two topics are on different partitions,
   which a consumer reads in no set order: a birth's record change and the newborn's
   identity check 55 ms later must reach the population database in that order, records
   of one topic are about different keys). The next group waits until the service has
   handled what was fed:
   every record fed so far has caused as many events as it did in the recorded run,
   or else (a changed service answers otherwise) the service's consumer group has
   committed every record fed and everything published until then has been read. So
   the answers a group freed go before the next group, and records further apart than
   a tick in the recorded run reach the service in the recorded order; within a tick
   they were as good as simultaneous in the recorded run too.

4. A recorded policy change of the service (`changes`, `simulator.replay.policies`) is
   a barrier: the records recorded after it wait until it is done again; while the
   service is paused, what is fed is not waited for (it waits in Kafka, as it did).

It is done when nothing is left to feed (only records whose trigger has not come), every
change is done, the HTTP inputs are in, the service has committed everything fed and
published nothing for `quiet_s` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import orjson
from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from contracts.topics import TOPICS
from simulator.eventlog.places import Place, PlaceCounter
from simulator.replay.conversation import OPERATIONS_TOPIC, FeedRecord, source_of
from simulator.replay.feed_channel import FeedChannel
from simulator.replay.policies import ChangePoints

__all__ = ["FeedError", "FeedStats", "Feeder"]

CONSUMED_WITHIN_S = 120.0  # how long the service may take to handle one group
COMMITS_EVERY_S = 0.025  # how often the committed offsets are asked for while waiting


class FeedError(RuntimeError):
    """The service did not consume what it was fed in time."""


@dataclass
class FeedStats:
    """What the feeder did: records and groups fed, how long it waited for the service."""

    fed: int = 0
    groups: int = 0
    answers_fed: int = 0
    waited_s: float = 0.0
    outputs_seen: int = 0
    last_output_at: float = field(default_factory=time.monotonic)


class Feeder:
    """Feeds `feed` to `service` on the broker at `bootstrap` by the rule above.

    `observe` must see every record published on the broker (the recorder's observer);
    `read_to(ends)` waits until the recorder has read each partition up to `ends`;
    `channel` publishes and reads the group's offsets (default: on `bootstrap`).
    """

    def __init__(
        self,
        bootstrap: str,
        service: str,
        feed: list[FeedRecord],
        read_to: Callable[[dict[TopicPartition, int]], Awaitable[bool]],
        *,
        tick_ms: int = 100,
        quiet_s: float = 1.0,
        channel: FeedChannel | None = None,
        changes: ChangePoints | None = None,
    ) -> None:
        self.service = service
        self.changes = changes
        self.read_to = read_to
        self.tick_ms = tick_ms
        self.quiet_s = quiet_s
        self.stats = FeedStats()
        self.channel = channel or FeedChannel(bootstrap, service)
        self._pending = deque(feed)
        self._held: dict[str, list[FeedRecord]] = {}
        self._held_places: dict[Place, str] = {}
        self._freed: list[tuple[int, FeedRecord]] = []
        self._seen: set[str] = set()
        self._seen_places: set[Place] = set()
        self._places = PlaceCounter()
        self._replies: Counter[str] = Counter()
        self._awaited: dict[str, int] = {}  # fed event id -> replies it had when recorded
        self._own = f'"source":"{source_of(service)}"'.encode()
        self._produced = {t.name for t in TOPICS if service in t.producers} - {OPERATIONS_TOPIC}
        self._wake = asyncio.Event()

    @property
    def held(self) -> list[FeedRecord]:
        """Records still waiting for their trigger (never fed, if the feed is over)."""
        return sorted((r for rs in self._held.values() for r in rs), key=lambda r: r.position)

    def observe(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Note an event the service published; free what waited for it."""
        raw = record.value or b""
        if record.topic not in self._produced or self._own not in raw[:400]:
            return
        value = orjson.loads(raw)
        key = record.key.decode() if record.key is not None else None
        place = self._places.place(record.topic, key, value)
        event_id, cause = str(value.get("id")), str(value.get("causationid"))
        self.stats.outputs_seen += 1
        self.stats.last_output_at = time.monotonic()
        self._replies[cause] += 1
        if self._awaited.get(cause, 0) <= self._replies[cause]:
            self._awaited.pop(cause, None)
        self._seen.add(event_id)
        self._seen_places.add(place)
        for trigger in {event_id, self._held_places.pop(place, event_id)}:
            for item in self._held.pop(trigger, []):
                heapq.heappush(self._freed, (item.position, item))
        self._wake.set()

    async def start(self) -> None:
        """Connect to the broker."""
        await self.channel.start()

    async def stop(self) -> None:
        """Disconnect."""
        await self.channel.stop()

    async def run(self, inputs_done: Callable[[], bool]) -> None:
        """Feed everything that may be fed; return once all is quiet (see the module)."""
        while True:
            group = self._next_group()
            if group:
                await self._send(group)
                if not self._paused:
                    await self._handled()
                continue
            if await self._change_due():
                assert self.changes is not None
                await self.changes.take()
                if not self._paused:
                    await self._handled()  # after a resume: what waited while paused
                continue
            idle = time.monotonic() - self.stats.last_output_at >= self.quiet_s
            changing = self.changes is not None and self.changes.pending
            over = not self._pending and not changing and inputs_done() and idle
            if over and not await self.channel.behind():
                return
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.05)

    @property
    def _paused(self) -> bool:
        return self.changes is not None and self.changes.paused

    async def _change_due(self) -> bool:
        """The next recorded change may be done (rule 4): the records before it are fed,
        the inputs before it answered, and the service has said what it had said by then
        (or is quiet, or paused)."""
        changes = self.changes
        if changes is None or not changes.inputs_in() or self._freed:
            return False
        if self._pending and not changes.before(self._pending[0].record):
            return False
        if self._paused or self.stats.outputs_seen >= changes.outputs_before[changes.done]:
            return True
        idle = time.monotonic() - self.stats.last_output_at >= self.quiet_s
        return idle and not await self.channel.behind()

    def _answered(self, item: FeedRecord) -> bool:
        return (
            item.trigger is None
            or item.trigger in self._seen
            or (item.trigger_place is not None and item.trigger_place in self._seen_places)
        )

    def _next_group(self) -> list[FeedRecord]:
        group = [heapq.heappop(self._freed)[1] for _ in range(len(self._freed))]
        first: int | None = None
        topic: str | None = None
        pending = self._pending
        while pending and (first is None or pending[0].record.timestamp - first <= self.tick_ms):
            if self.changes is not None and self.changes.before(pending[0].record):
                break
            if topic is not None and pending[0].record.topic != topic:
                break
            item = pending.popleft()
            if not self._answered(item):
                assert item.trigger is not None
                self._held.setdefault(item.trigger, []).append(item)
                if item.trigger_place is not None:
                    self._held_places[item.trigger_place] = item.trigger
                continue
            first = item.record.timestamp if first is None else first
            topic = item.record.topic
            group.append(item)
        return group

    async def _send(self, group: list[FeedRecord]) -> None:
        await self.channel.send([item.record for item in group])
        for item in group:
            if item.replies > self._replies[item.event_id]:
                self._awaited[item.event_id] = item.replies
        self.stats.fed += len(group)
        self.stats.answers_fed += sum(1 for item in group if item.trigger is not None)
        self.stats.groups += 1

    async def _handled(self) -> None:
        """Wait until the service has handled what was fed (rule 3)."""
        started = time.monotonic()
        asked = started
        while self._awaited:
            await asyncio.sleep(0.002)
            now = time.monotonic()
            if now - asked >= COMMITS_EVERY_S:
                asked = now
                behind = await self.channel.behind()
                if not behind:
                    self._awaited.clear()
                    await self.read_to(await self.channel.end_offsets())
                elif now - started > CONSUMED_WITHIN_S:
                    raise FeedError(self._late(behind))
        self.stats.waited_s += time.monotonic() - started

    def _late(self, behind: dict[TopicPartition, tuple[int | None, int]]) -> str:
        where = ", ".join(
            f"{tp.topic}/{tp.partition} at {at} of {end}"
            for tp, (at, end) in sorted(behind.items())
        )
        return (
            f"{self.service} has not handled what it was fed within "
            f"{CONSUMED_WITHIN_S:.0f} s (committed: {where})"
        )
