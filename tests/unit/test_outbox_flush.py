"""Many requests' flushes of the outbox run as few rounds, one at a time."""

from __future__ import annotations

import asyncio

import pytest

from services.kit.outbox_flush import CoalescedFlush, OutboxFlushError


class Outbox:
    """Counts flushes; each flush publishes what was stored when it started."""

    def __init__(self) -> None:
        self.stored = 0
        self.published = 0
        self.flushes = 0
        self.running = 0
        self.most_running = 0
        self.fail = False

    async def flush(self) -> int:
        self.flushes += 1
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        upto = self.stored
        await asyncio.sleep(0)  # the producer's round trip: other requests arrive meanwhile
        self.running -= 1
        if self.fail:
            raise RuntimeError("broker gone")
        self.published = max(self.published, upto)
        return upto


async def test_a_thousand_requests_flush_in_a_few_rounds_one_at_a_time() -> None:
    outbox = Outbox()
    flush = CoalescedFlush(outbox.flush)

    async def request() -> int:
        outbox.stored += 1
        mine = outbox.stored
        await flush()
        return mine

    mine = await asyncio.gather(*(request() for _ in range(1000)))
    assert outbox.most_running == 1
    assert outbox.flushes <= 2
    assert all(m <= outbox.published for m in mine)  # each one's event was published


async def test_a_request_arriving_during_a_round_waits_for_the_next() -> None:
    outbox = Outbox()
    flush = CoalescedFlush(outbox.flush)
    outbox.stored = 1
    first = asyncio.create_task(flush())
    await asyncio.sleep(0)  # the first round has started with 1 stored
    outbox.stored = 2
    await flush()
    assert outbox.published == 2
    await first


async def test_a_failed_round_raises_a_fresh_error_in_each_of_its_requests() -> None:
    outbox = Outbox()
    outbox.fail = True
    flush = CoalescedFlush(outbox.flush)
    results = await asyncio.gather(flush(), flush(), return_exceptions=True)
    assert all(isinstance(r, OutboxFlushError) for r in results)
    assert results[0] is not results[1]
    outbox.fail = False
    await flush()  # the next round goes on
    with pytest.raises(OutboxFlushError):
        outbox.fail = True
        await flush()
