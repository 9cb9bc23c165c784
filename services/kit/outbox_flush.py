"""One outbox flush at a time for an HTTP API's many requests.

Each request that stored events wants them published before it answers. With thousands of
requests in flight, a flush each would hand the producer thousands of one-record batches
for the same partitions at once (they queue behind each other until the producer times
out). `CoalescedFlush` runs one flush at a time: a request arriving while one runs waits
for the next round, which publishes everything stored by then, its events included.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

__all__ = ["CoalescedFlush", "OutboxFlushError"]


class OutboxFlushError(RuntimeError):
    """The round of flushing a request waited for failed (the events stay stored)."""


class CoalescedFlush:
    """Calls `flush` in rounds; each caller returns once a round started after its call
    has finished."""

    def __init__(self, flush: Callable[[], Awaitable[object]]) -> None:
        self._flush = flush
        self._started = 0  # rounds started so far
        self._rounds: dict[int, asyncio.Future[None]] = {}  # wanted, not started yet
        self._task: asyncio.Task[None] | None = None

    async def __call__(self) -> None:
        """Return once everything stored before the call is published."""
        wanted = self._started + 1
        done = self._rounds.get(wanted)
        if done is None:
            done = self._rounds[wanted] = asyncio.get_running_loop().create_future()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        await asyncio.wait([done])  # (a cancelled caller leaves the round to the others)
        failure = done.exception()
        if failure is not None:  # a fresh error per caller: the shared one is not re-raised
            raise OutboxFlushError(f"publishing the outbox failed: {failure!r}")

    async def _run(self) -> None:
        while self._rounds:
            self._started += 1
            done = self._rounds.pop(self._started)
            try:
                await self._flush()
            except Exception as exc:  # handed to the round's callers
                done.set_exception(exc)
            else:
                done.set_result(None)
