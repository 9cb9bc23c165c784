"""Handling the next batch while the last one's follow-ups are confirmed, without losing order.

Each consumed batch is stored (effects, processed ids, outbox) in one transaction by the
store worker; then its outbox is handed to the producer right after the previous batch's
(so records keep their order per partition), and its offsets are committed once all its
records are acknowledged and every earlier batch is committed. Meanwhile the consumer
goes on with the next batch: the producer's confirms and the offset commits are awaited
in the background instead of before the next batch.

If a publish or a commit fails, nothing after the last committed batch is committed: the
next batch waits for the rest to settle, then every partition is sought back to its first
uncommitted offset. The events come again, are recognised as handled (processed ids), and
their stored follow-ups are published from the store before anything new (at-least-once,
idempotent, as before).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from aiokafka import ConsumerRecord, TopicPartition

from services.kit.outbox import OutboxPublisher
from services.kit.store import OutboxRecord

__all__ = ["BatchPipeline", "first_offsets"]

log = structlog.get_logger("portalsim.kit.pipeline")


def first_offsets(records: Sequence[ConsumerRecord[bytes, bytes]]) -> dict[TopicPartition, int]:
    """The earliest offset of each partition in a batch."""
    firsts: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        if tp not in firsts or record.offset < firsts[tp]:
            firsts[tp] = record.offset
    return firsts


def _next_offsets(records: Sequence[ConsumerRecord[bytes, bytes]]) -> dict[TopicPartition, int]:
    offsets: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
    return offsets


@dataclass
class _Link:
    """One batch on its way: its offsets, and whether its records reached the producer."""

    firsts: dict[TopicPartition, int]
    offsets: dict[TopicPartition, int]
    sent: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    task: asyncio.Task[None] | None = None


class BatchPipeline:
    """Ordered publishing and committing of consumed batches, a few batches deep."""

    def __init__(
        self,
        outbox: OutboxPublisher,
        consumer: Callable[[], Any],
        max_pending: int = 4,
        commit_interval_s: float = 0.1,
    ) -> None:
        self.outbox = outbox
        self.consumer = consumer  # the aiokafka consumer, or None (in-memory test broker)
        self.max_pending = max_pending
        self.commit_interval_s = commit_interval_s
        self.failure: BaseException | None = None
        self._links: deque[_Link] = deque()
        self._confirmed: dict[TopicPartition, int] = {}  # offsets safe to commit, not yet sent
        self._last_commit = 0.0
        self._deferred: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        """Batches handled but not yet committed."""
        return len(self._links)

    async def submit(
        self, records: Sequence[ConsumerRecord[bytes, bytes]], stored: Sequence[OutboxRecord]
    ) -> None:
        """Publish `stored` after every earlier batch, then commit `records` after them."""
        while len(self._links) >= self.max_pending and self.failure is None:
            oldest = self._links[0].task
            assert oldest is not None
            await asyncio.wait({oldest})
        previous = self._links[-1] if self._links else None
        link = _Link(first_offsets(records), _next_offsets(records))
        link.task = asyncio.create_task(self._run(previous, link, stored))
        self._links.append(link)

    async def _run(
        self, previous: _Link | None, link: _Link, stored: Sequence[OutboxRecord]
    ) -> None:
        try:
            if previous is not None:
                await previous.sent
            confirming = await self.outbox.hand_over(stored)
            link.sent.set_result(None)
            await confirming
            if previous is not None and previous.task is not None:
                await previous.task
            self._confirmed.update(link.offsets)
            await self._commit()
        except BaseException as exc:
            self.outbox.release(stored)  # not handed over (or failed): flush sends them later
            if not link.sent.done():
                link.sent.set_exception(exc)
                link.sent.exception()
            if self.failure is None:
                self.failure = exc
                log.warning("publish or commit failed; the batch will come again", error=str(exc))
            raise
        if self._links and self._links[0] is link:
            self._links.popleft()

    async def _commit(self, now: bool = False) -> None:
        """Commit the confirmed offsets, at most every `commit_interval_s` unless `now`.

        Offsets held back are committed by a timer, or with a later batch's: fewer
        commit requests, and only ever offsets whose records are all handled and published.
        """
        wait = self._last_commit + self.commit_interval_s - time.monotonic()
        if not now and wait > 0:
            if self._deferred is None or self._deferred.done():
                self._deferred = asyncio.create_task(self._commit_later(wait))
            return
        offsets, self._confirmed = self._confirmed, {}
        self._last_commit = time.monotonic()
        consumer = self.consumer()
        if consumer is not None and offsets:
            await consumer.commit(offsets)

    async def _commit_later(self, wait: float) -> None:
        """Commit what is held back after `wait`, and again what was confirmed meanwhile: a
        batch confirmed while this task was committing left its offsets to it."""
        while True:
            await asyncio.sleep(wait)
            try:
                await self._commit(now=True)
            except Exception as exc:  # a rebalance took the partitions: their new owner goes on
                if self.failure is None:
                    self.failure = exc
                log.warning("offset commit failed; the batch will come again", error=str(exc))
                return
            if not self._confirmed:
                return
            wait = self.commit_interval_s

    async def drain(self) -> None:
        """Wait until every submitted batch is committed or has failed."""
        tasks = [link.task for link in self._links if link.task is not None]
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._deferred is not None:
            self._deferred.cancel()
            with contextlib.suppress(BaseException):
                await self._deferred
        with contextlib.suppress(Exception):
            await self._commit(now=True)

    async def recover(self, current: Sequence[ConsumerRecord[bytes, bytes]]) -> bool:
        """After a failure: settle, seek back to the first uncommitted offsets; True if so.

        The batch in hand (`current`) is not handled now: it comes again after the seek.
        """
        if self.failure is None:
            return False
        await self.drain()
        rewind = first_offsets(current)
        for link in self._links:
            for tp, offset in link.firsts.items():
                rewind[tp] = min(rewind.get(tp, offset), offset)
        self.seek(rewind)
        self._links.clear()
        self.failure = None
        return True

    def seek(self, offsets: dict[TopicPartition, int]) -> None:
        """Seek partitions back (a partition no longer assigned is left to its new owner)."""
        consumer = self.consumer()
        if consumer is None:
            return
        for tp, offset in offsets.items():
            with contextlib.suppress(Exception):
                consumer.seek(tp, offset)
