"""The run's simulated clock (its watermark): how far every ID-card application has been
taken by the national portal, from what the run observed."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest

from contracts.people import DeclaredPerson
from contracts.worktime import HANOI_TZ
from simulator.drive.clock import ClockPublisher, Watermark
from simulator.drive.observations import Observations, Settlement
from simulator.scenarios.applicants import DossierDraft
from simulator.scenarios.campaign import ID_CARD_CODE
from simulator.scenarios.demand import DemandItem
from tests.factories import applicant

MONDAY = datetime(2026, 3, 2, tzinfo=HANOI_TZ)
OTHER = "1.004194"


def item(index: int, hour: float, code: str = ID_CARD_CODE) -> DemandItem:
    person: DeclaredPerson = applicant()
    return DemandItem(
        index=index,
        client_ref=f"ref:{index}",
        procedure_code=code,
        channel="online",
        unit_code="001",
        simtime=MONDAY + timedelta(hours=hour),
        draft=DossierDraft([person], {}),
        account_holder=person,
    )


def settled_by(dossier_id: str, by: str) -> Settlement:
    return Settlement(
        event_id=dossier_id,
        dossier_id=dossier_id,
        dossier_code="001-260302-0001",
        procedure_code=ID_CARD_CODE,
        channel="online",
        received_unit="001",
        parent_dossier_id=None,
        outcome="approved",
        settled_by=by,
        reason_code=None,
        reason_text=None,
        result_document_number=None,
        working_days_taken=1.0,
        legal_limit_days=None,
        within_legal_limit=None,
        received_simtime="2026-03-02T08:30:00+07:00",
        settled_simtime="2026-03-03T08:30:00+07:00",
        wall_ms=0,
    )


@pytest.fixture
def items() -> list[DemandItem]:
    return [item(0, 8.5), item(1, 9.25, OTHER), item(2, 10.75), item(3, 13.0)]


def test_the_clock_stops_at_the_first_application_not_yet_answered(
    items: list[DemandItem],
) -> None:
    watermark, seen = Watermark(items), Observations()
    assert watermark.until({}, seen) == MONDAY + timedelta(hours=8)


def test_an_answered_id_card_holds_the_clock_until_the_national_portal_has_it(
    items: list[DemandItem],
) -> None:
    answered: dict[str, str | None] = {i.client_ref: f"d{i.index}" for i in items}
    watermark, seen = Watermark(items), Observations()
    assert watermark.until(answered, seen) == MONDAY + timedelta(hours=8)
    seen.awaiting_card.add("d0")
    assert watermark.until(answered, seen) == MONDAY + timedelta(hours=10)  # d2 at 10:45
    seen.settlements["d2"] = {"e": settled_by("d2", "city_portal")}  # its check failed
    assert watermark.until(answered, seen) == MONDAY + timedelta(hours=13)
    assert watermark.taken(MONDAY + timedelta(hours=13), answered, seen) == 1
    seen.settlements["d3"] = {"e": settled_by("d3", "ministry.public_security")}
    assert watermark.until(answered, seen) is None  # every item done: the final clock
    assert watermark.taken(None, answered, seen) == 2


def test_refused_items_and_other_procedures_need_only_their_answer(
    items: list[DemandItem],
) -> None:
    answered: dict[str, str | None] = {"ref:0": None, "ref:1": "d1"}
    watermark = Watermark(items[:2])
    assert watermark.until(answered, Observations()) is None


class StalledProducer:
    """Publishes each record, then, for the first one, waits until cancelled (its
    acknowledgement never comes back in time)."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.stalled = asyncio.Event()

    async def send_and_wait(self, topic: str, value: bytes, key: Any, headers: Any) -> None:
        self.ids.append(orjson.loads(value)["id"])
        if len(self.ids) == 1:
            self.stalled.set()
            await asyncio.Event().wait()


async def test_a_clock_cancelled_on_its_way_leaves_the_final_clock_a_new_id() -> None:
    publisher = ClockPublisher("unused:1", [item(0, 1.0)], {}, Observations())
    producer = StalledProducer()
    publisher._producer = producer
    following = asyncio.create_task(publisher._send(MONDAY + timedelta(hours=2), final=False))
    await asyncio.wait_for(producer.stalled.wait(), 5)
    following.cancel()  # as `final` cancels the follower
    with contextlib.suppress(asyncio.CancelledError):
        await following
    await publisher.final()
    assert len(producer.ids) == 2 and len(set(producer.ids)) == 2
    assert publisher.published[-1].final
