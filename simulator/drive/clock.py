"""The simulated clock a run publishes: how far every ID-card application has been taken.

The national portal's card line serves verified cards in the order they were ready in
simulated time; it may serve the cards ready before a moment only once no application
received before it can still come (docs/flow.md, "The ID-card line"). The run knows
that from what it observes: an ID-card application received before `until` is done
when the driver has had its answer and, when it became a dossier, that dossier has been
taken by the national portal (status `awaiting_card`, or settled by it) or settled
elsewhere (a failed identity check, a failed scan). `Watermark` finds the latest such
`until` (floored to a whole simulated hour) and counts the applications received before
it that the national portal took; `ClockPublisher` publishes it on
`simulated.clock.advanced` as it moves, and a final clock once the demand is all handed
in and every dossier settled or waiting for its card (or after the settle timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from aiokafka import AIOKafkaProducer

from contracts.catalogue import load_catalogue
from contracts.clock_events import SimulatedClockAdvanced
from contracts.envelope import CONTENT_TYPE
from contracts.signing import Signer
from contracts.topics import ServiceName
from services.kit import EventFactory, derived_event_id
from services.kit.kafka_access import simulator_access
from simulator.drive.observations import Observations
from simulator.scenarios.demand import DemandItem

__all__ = ["ID_CARD_CODES", "ClockPublisher", "Watermark"]

#: The catalogue codes of the ID-card procedure (number 2).
ID_CARD_CODES = frozenset(p.code for p in load_catalogue().procedures if p.number == 2)
#: Who settles a dossier without the national portal.
_NOT_TAKEN = frozenset({"city_portal", "one_stop"})
STEP = timedelta(hours=1)


def _floor(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


class Watermark:
    """The run's watermark over its demand (see the module)."""

    def __init__(self, items: Iterable[DemandItem]) -> None:
        self.items = sorted(items, key=lambda item: item.simtime)
        self.cards = [item for item in self.items if item.procedure_code in ID_CARD_CODES]
        self._next = 0  # the first item not known to be done

    @staticmethod
    def taken_by_national_portal(dossier_id: str, seen: Observations) -> bool:
        """True once the national portal has the dossier (waiting for its card, or settled)."""
        if dossier_id in seen.awaiting_card:
            return True
        settlement = seen.root_settlement(dossier_id)
        return settlement is not None and settlement.settled_by not in _NOT_TAKEN

    def _done(
        self, item: DemandItem, answered: Mapping[str, str | None], seen: Observations
    ) -> bool:
        if item.client_ref not in answered:
            return False
        dossier_id = answered[item.client_ref]
        if dossier_id is None or item.procedure_code not in ID_CARD_CODES:
            return True
        return dossier_id in seen.settlements or self.taken_by_national_portal(dossier_id, seen)

    def until(self, answered: Mapping[str, str | None], seen: Observations) -> datetime | None:
        """The latest whole hour before which every item is done (None: every item is)."""
        while self._next < len(self.items) and self._done(self.items[self._next], answered, seen):
            self._next += 1
        if self._next == len(self.items):
            return None
        return _floor(self.items[self._next].simtime)

    def taken(
        self, until: datetime | None, answered: Mapping[str, str | None], seen: Observations
    ) -> int:
        """ID-card applications received before `until` (all: None) the portal has taken."""
        count = 0
        for item in self.cards:
            if until is not None and item.simtime >= until:
                break
            dossier_id = answered.get(item.client_ref)
            if dossier_id is not None and self.taken_by_national_portal(dossier_id, seen):
                count += 1
        return count


class ClockPublisher:
    """Publishes the run's clock as its watermark moves (every `every_s` at most)."""

    def __init__(
        self,
        bootstrap: str,
        items: list[DemandItem],
        answered: Mapping[str, str | None],
        observations: Observations,
        signer: Signer | None = None,
        every_s: float = 0.5,
    ) -> None:
        self.bootstrap = bootstrap
        self.watermark = Watermark(items)
        self.answered = answered
        self.observations = observations
        self.every_s = every_s
        self.run = uuid.uuid4().hex
        self.factory = EventFactory(ServiceName.SIMULATOR, signer)
        self.published: list[SimulatedClockAdvanced] = []
        self._last: datetime | None = None
        self._producer: AIOKafkaProducer | None = None
        self._task: asyncio.Task[None] | None = None
        self._sending = asyncio.Lock()  # one clock at a time, each under its own id
        self._sent = 0  # clocks given an id (one cancelled mid-send keeps its id)
        self._end = _floor(self.watermark.items[-1].simtime) + STEP if items else None

    async def start(self) -> None:
        """Connect and start following the watermark."""
        self._producer = AIOKafkaProducer(
            **simulator_access(self.bootstrap).aiokafka_options(), acks="all"
        )
        await self._producer.start()
        self._task = asyncio.create_task(self._follow())

    async def _follow(self) -> None:
        while True:
            until = self.watermark.until(self.answered, self.observations)
            if until is not None and (self._last is None or until > self._last):
                await self._send(until, final=False)
            await asyncio.sleep(self.every_s)

    async def final(self) -> None:
        """The end of the demand: every held card may go (sent once)."""
        if self.published and self.published[-1].final:
            return
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._end is None:
            return  # no demand: nothing to release
        await self._send(max(self._end, self._last or self._end), final=True)

    async def all_taken(self, timeout_s: float) -> bool:
        """Wait until every item is done (True), or `timeout_s` passed first (False)."""
        deadline = time.monotonic() + timeout_s
        while self.watermark.until(self.answered, self.observations) is not None:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.2)
        return True

    async def stop(self) -> None:
        """Stop following and disconnect."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._producer is not None:
            await self._producer.stop()

    async def _send(self, until: datetime, *, final: bool) -> None:
        async with self._sending:
            await self._send_one(until, final=final)

    async def _send_one(self, until: datetime, *, final: bool) -> None:
        """One clock under a fresh id: a follow-up cancelled while its record was on the
        way (the final clock cancels the follower) may still have published it, and the
        national portal skips an id it has seen, so no two clocks share one."""
        assert self._producer is not None
        taken = self.watermark.taken(None if final else until, self.answered, self.observations)
        clock = SimulatedClockAdvanced(run=self.run, until=until, final=final, id_cards_taken=taken)
        self._sent += 1
        record = self.factory.record(
            "simulated.clock.advanced",
            clock,
            event_id=derived_event_id(f"clock:{self.run}", self._sent - 1, "simulator"),
            correlation_id=self.run,
            simtime=until,
        )
        headers = [(k, v.encode()) for k, v in record.headers] or [
            ("content-type", CONTENT_TYPE.encode())
        ]
        await self._producer.send_and_wait(record.topic, record.value, record.key, headers=headers)
        self.published.append(clock)
        self._last = until
