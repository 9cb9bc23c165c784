"""HTTP requests' events published before they are answered: from memory, in few rounds.

An HTTP use case (`RequestRunner.run`) runs on the store worker like any store call; the
outbox records its transaction stored are caught as they are stored (`OutboxTable.capturing`),
claimed (so a concurrent `flush` leaves them alone) and handed to the producer without being
read back from the store. The request returns once they are confirmed; the store forgets
them with the next transaction that deletes published records.

With thousands of requests in flight, a hand-over each would give the producer thousands of
one-record batches for the same partitions at once (they queue behind each other until the
producer times out). `CoalescedRounds` runs one round at a time: what requests bring while a
round runs goes together in the next one. After a failed publish (`OutboxPublisher.leftovers`)
a round also flushes everything the store still holds, so a request repeated after a failure
answers only once its first attempt's events are out too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, ParamSpec, TypeVar

from services.kit.outbox import OutboxPublisher
from services.kit.outbox_table import OutboxRecord
from services.kit.store_worker import StoreWorker

__all__ = ["CoalescedRounds", "OutboxFlushError", "RequestRunner"]

T = TypeVar("T")
P = ParamSpec("P")


class OutboxFlushError(RuntimeError):
    """The round a request waited for failed to publish (its events stay stored)."""


@dataclass
class _Round(Generic[T]):
    done: asyncio.Future[None]
    items: list[T] = field(default_factory=list)


class CoalescedRounds(Generic[T]):
    """Calls `publish(items)` in rounds, one at a time; each caller returns once the round
    that took its items has finished."""

    def __init__(self, publish: Callable[[list[T]], Awaitable[object]]) -> None:
        self._publish = publish
        self._started = 0  # rounds started so far
        self._rounds: dict[int, _Round[T]] = {}  # wanted, not started yet
        self._task: asyncio.Task[None] | None = None

    async def __call__(self, items: Sequence[T] = ()) -> None:
        """Return once `items` (and everything brought before them) went out in a round."""
        wanted = self._started + 1
        next_round = self._rounds.get(wanted)
        if next_round is None:
            loop = asyncio.get_running_loop()
            next_round = self._rounds[wanted] = _Round(loop.create_future())
        next_round.items.extend(items)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        done = next_round.done
        await asyncio.wait([done])  # (a cancelled caller leaves the round to the others)
        failure = done.exception()
        if failure is not None:  # a fresh error per caller: the shared one is not re-raised
            raise OutboxFlushError(f"publishing the outbox failed: {failure!r}")

    async def _run(self) -> None:
        while self._rounds:
            self._started += 1
            this_round = self._rounds.pop(self._started)
            try:
                await self._publish(this_round.items)
            except Exception as exc:  # handed to the round's callers
                this_round.done.set_exception(exc)
            else:
                this_round.done.set_result(None)


class RequestRunner:
    """Runs HTTP use cases on the store worker and publishes what they stored."""

    def __init__(self, worker: StoreWorker, outbox: OutboxPublisher) -> None:
        self.worker = worker
        self.outbox = outbox
        self._rounds: CoalescedRounds[OutboxRecord] = CoalescedRounds(self._publish)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` on the store worker; its result once the events its
        transaction stored are published (a refusal it raises stores nothing)."""
        table = self.worker.store.outbox

        def call() -> tuple[T, list[OutboxRecord]]:
            with table.capturing() as stored:
                try:
                    result = fn(*args, **kwargs)
                except BaseException:
                    if stored:  # (stored before it failed: a later flush sends what stayed)
                        self.outbox.leftovers = True
                    raise
            return result, stored

        result, stored = await self.worker.run(call)
        self.outbox.claim(stored)
        if stored or self.outbox.leftovers:
            await self._rounds(stored)
        return result

    async def _publish(self, records: list[OutboxRecord]) -> None:
        # What an earlier failure left goes first: flushing after the hand-over could wait on
        # it from inside it (FastStream's in-memory broker delivers while publishing).
        if self.outbox.leftovers:
            await self.outbox.flush()
        if records:
            await self.outbox.publish(records)
