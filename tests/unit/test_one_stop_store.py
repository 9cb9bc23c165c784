"""The one_stop store: daily code sequences, queue counts, the desks' clock, departures."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from contracts.worktime import HANOI_TZ
from services.one_stop.domain import (
    DeskDossier,
    DigitisationSlot,
    queue_length_at,
    schedule_digitisation,
)
from services.one_stop.store import OneStopStore, from_us, to_us
from tests.stores import StoreBackend

MONDAY = datetime(2026, 3, 2, 9, 30, tzinfo=HANOI_TZ)


@pytest.fixture
def store(store_backend: StoreBackend) -> Iterator[OneStopStore]:
    store = store_backend.open(OneStopStore)
    yield store
    store.close()


def dossier(n: int, slot: DigitisationSlot, unit_code: str = "001") -> DeskDossier:
    return DeskDossier(
        dossier_id=f"d{n}",
        client_ref=f"ref-{n}",
        unit_code=unit_code,
        dossier_code=f"{unit_code}-260302-{6000 + n:04d}",
        procedure_code="1.004194",
        slot=slot,
        scan_failed=False,
    )


def test_simulated_moments_round_trip_to_the_microsecond() -> None:
    moment = MONDAY + timedelta(microseconds=123_457)
    assert from_us(to_us(moment)) == moment
    assert from_us(to_us(moment)).tzinfo == HANOI_TZ


def test_the_code_sequence_runs_per_unit_and_per_day_within_the_desk_block(
    store: OneStopStore,
) -> None:
    monday, tuesday = date(2026, 3, 2), date(2026, 3, 3)
    assert [store.next_sequence("001", monday) for _ in range(3)] == [6000, 6001, 6002]
    assert store.next_sequence("00101", monday) == 6000
    assert store.next_sequence("001", tuesday) == 6000
    assert store.next_sequence("001", monday) == 6003


def test_a_stored_dossier_reads_back_unchanged(store: OneStopStore) -> None:
    stored = dossier(1, schedule_digitisation(MONDAY, None, 400))
    store.insert_dossier(stored)
    assert store.dossier("d1") == stored
    assert store.dossier("unknown") is None


def test_the_sql_queue_count_agrees_with_the_domain_rule(store: OneStopStore) -> None:
    rng = random.Random(6)
    arrivals = sorted(MONDAY + timedelta(minutes=rng.randrange(0, 3000)) for _ in range(60))
    slots: list[DigitisationSlot] = []
    free_at = None
    for n, received in enumerate(arrivals):
        slot = schedule_digitisation(received, free_at, 20)
        free_at = slot.done
        slots.append(slot)
        store.insert_dossier(dossier(n, slot))
    probes = [s.received for s in slots] + [s.done for s in slots]
    probes += [MONDAY + timedelta(minutes=rng.randrange(-60, 6000)) for _ in range(50)]
    for moment in probes:
        assert store.queue_length("001", moment) == queue_length_at(moment, slots)
    assert store.queue_length("002", probes[0]) == 0


def test_a_desk_keeps_its_peak_queue_and_counts(store: OneStopStore) -> None:
    store.save_desk("001", MONDAY, 3, scan_failed=False)
    store.save_desk("001", MONDAY + timedelta(hours=1), 1, scan_failed=True)
    desk = store.desk("001")
    assert desk is not None
    assert (desk.free_at, desk.peak_queue) == (MONDAY + timedelta(hours=1), 3)
    assert (desk.dossiers_received, desk.scan_failures) == (2, 1)
    assert store.desk("002") is None
    assert [d.unit_code for d in store.desks()] == ["001"]


def test_the_desks_clock_never_goes_back(store: OneStopStore) -> None:
    assert store.clock() is None
    assert store.advance_clock(MONDAY) == MONDAY
    assert store.advance_clock(MONDAY - timedelta(days=1)) == MONDAY
    assert store.clock() == MONDAY


def test_departures_are_due_once_their_digitisation_ended(store: OneStopStore) -> None:
    first = schedule_digitisation(MONDAY, None, 9)
    second = schedule_digitisation(MONDAY, first.done, 9)
    store.insert_dossier(dossier(1, first))
    store.insert_dossier(dossier(2, second))
    assert [d.dossier_id for d in store.due_departures(first.done)] == ["d1"]
    store.mark_departed("d1")
    assert store.due_departures(first.done) == []
    assert [d.dossier_id for d in store.due_departures(second.done)] == ["d2"]
