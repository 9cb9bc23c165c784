"""Pausing a service's consumption (the outage fault) without losing anything.

While paused, the batch handler waits before handling: the consumer fetches nothing
more, commits nothing, and stays in its group (aiokafka heartbeats on its own), so no
partition moves and no record is lost; after `resume` the waiting batch is handled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["BatchHook", "ConsumptionGate"]

#: Awaited with each batch's records before it is handled.
BatchHook = Callable[[list[Any]], Awaitable[None]]


class ConsumptionGate:
    """Whether batches may be handled now; and what each batch awaits first."""

    def __init__(self) -> None:
        self._open = asyncio.Event()
        self._open.set()
        self.before_batch: BatchHook | None = None

    @property
    def consuming(self) -> bool:
        """False while paused."""
        return self._open.is_set()

    def pause(self) -> None:
        """Hold the next batch until `resume`."""
        self._open.clear()

    def resume(self) -> None:
        """Let batches through again."""
        self._open.set()

    async def passed(self, records: list[Any]) -> None:
        """Return once this batch may be handled (after the hook, if any)."""
        if not self._open.is_set():
            await self._open.wait()
        if self.before_batch is not None:
            await self.before_batch(records)
