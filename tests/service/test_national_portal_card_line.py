"""The national portal's ID-card line following the simulated clock: a verified card waits
(status `awaiting_card`) until a clock passes the moment it was ready and every
application the clock counts has been taken; cards go on the line in the order they were
ready, whatever the order they were taken in; each settles once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contracts.clock_events import SimulatedClockAdvanced
from contracts.topics import topic
from tests.factories import SIMTIME, envelope
from tests.service.national import Service, national_portal, routed

ID_CARD = 2
BY = "ministry.public_security"
LATER = SIMTIME + timedelta(days=400)


@pytest.fixture
async def service(tmp_path: Path, store_settings: dict[str, Any]) -> AsyncIterator[Service]:
    async with national_portal(
        tmp_path, card_line_follows_clock=True, id_card_capacity_per_day=2.0, **store_settings
    ) as running:
        yield running


def clock(until: datetime, taken: int, *, final: bool = False) -> SimulatedClockAdvanced:
    return SimulatedClockAdvanced(run="test", until=until, final=final, id_cards_taken=taken)


async def test_a_verified_card_waits_for_the_clock_to_pass_its_readiness_then_settles_once(
    service: Service,
) -> None:
    card = routed(ID_CARD)
    await service.send("dossier.routed", card)
    assert service.statuses(card.dossier_id) == [("processing", BY), ("awaiting_card", BY)]
    await service.send("simulated.clock.advanced", clock(SIMTIME, 1))
    assert service.settled(card.dossier_id) == []
    passing = envelope(clock(LATER, 1), type=topic("simulated.clock.advanced").event_type)
    await service.broker.publish(passing.to_bytes(), "simulated.clock.advanced")
    await service.broker.publish(passing.to_bytes(), "simulated.clock.advanced")  # redelivered
    await service.send("simulated.clock.advanced", clock(LATER, 1, final=True))
    [settled] = service.settled(card.dossier_id)
    assert settled["data"]["outcome"] == "approved"
    assert service.statuses(card.dossier_id)[-1] == ("approved", BY)


async def test_a_clock_counting_applications_not_yet_taken_waits_for_them(
    service: Service,
) -> None:
    await service.send("simulated.clock.advanced", clock(LATER, 1, final=True))
    card = routed(ID_CARD)
    assert service.settled(card.dossier_id) == []
    await service.send("dossier.routed", card)
    assert len(service.settled(card.dossier_id)) == 1


def ready_at(service: Service, dossier_id: str) -> datetime:
    """When the card was ready: the simulated time of its `awaiting_card` status."""
    [moment] = [
        t["simtime"]
        for e in service.on("dossier.status.changed")
        if e["data"]["dossier_id"] == dossier_id
        for t in e["data"]["transitions"]
        if t["status"] == "awaiting_card"
    ]
    return datetime.fromisoformat(moment)


async def test_cards_go_on_the_line_in_the_order_they_were_ready_not_the_order_taken(
    service: Service,
) -> None:
    cards = [routed(ID_CARD, routed_simtime=SIMTIME + timedelta(hours=h)) for h in (30, 20, 10, 0)]
    for card in cards:
        await service.send("dossier.routed", card)
    await service.send("simulated.clock.advanced", clock(LATER, len(cards), final=True))
    by_readiness = sorted(cards, key=lambda c: (ready_at(service, c.dossier_id), c.dossier_id))
    done = [service.settled(c.dossier_id)[0]["data"]["settled_simtime"] for c in by_readiness]
    assert [datetime.fromisoformat(d) for d in done] == sorted(map(datetime.fromisoformat, done))
    assert len(set(done)) == len(cards)  # one after another on the line
