"""Many requests' events go out in few rounds, one round at a time."""

from __future__ import annotations

import asyncio

import pytest

from services.kit.request_publishing import CoalescedRounds, OutboxFlushError


class Producer:
    """Counts rounds; each round publishes the items it was given."""

    def __init__(self) -> None:
        self.published: list[int] = []
        self.rounds = 0
        self.running = 0
        self.most_running = 0
        self.fail = False

    async def publish(self, items: list[int]) -> None:
        self.rounds += 1
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        await asyncio.sleep(0)  # the producer's round trip: other requests arrive meanwhile
        self.running -= 1
        if self.fail:
            raise RuntimeError("broker gone")
        self.published.extend(items)


async def test_a_thousand_requests_publish_in_a_few_rounds_one_at_a_time() -> None:
    producer = Producer()
    rounds = CoalescedRounds(producer.publish)

    async def request(n: int) -> int:
        await rounds([n])
        assert n in producer.published  # published before the request returns
        return n

    await asyncio.gather(*(request(n) for n in range(1000)))
    assert producer.most_running == 1
    assert producer.rounds <= 2
    assert sorted(producer.published) == list(range(1000))


async def test_items_brought_during_a_round_go_in_the_next() -> None:
    producer = Producer()
    rounds = CoalescedRounds(producer.publish)
    first = asyncio.create_task(rounds([1]))
    for _ in range(10):  # until the first round has started with item 1
        if producer.running:
            break
        await asyncio.sleep(0)
    assert producer.running == 1
    await rounds([2])
    assert producer.published == [1, 2]
    assert producer.rounds == 2
    await first


async def test_a_failed_round_raises_a_fresh_error_in_each_of_its_requests() -> None:
    producer = Producer()
    producer.fail = True
    rounds = CoalescedRounds(producer.publish)
    results = await asyncio.gather(rounds([1]), rounds([2]), return_exceptions=True)
    assert all(isinstance(r, OutboxFlushError) for r in results)
    assert results[0] is not results[1]
    producer.fail = False
    await rounds([3])  # the next round goes on
    assert producer.published == [3]
    with pytest.raises(OutboxFlushError):
        producer.fail = True
        await rounds([4])
