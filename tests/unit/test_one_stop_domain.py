"""Pure rules of the one-stop desks: digitisation in working time, queues, codes, outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.dossier_codes import parse_dossier_code
from contracts.events import Outcome
from contracts.worktime import HANOI_TZ
from services.one_stop.domain import (
    DESK_SEQUENCE_BLOCK,
    DeskSequenceExhaustedError,
    DigitisationSlot,
    desk_dossier_code,
    draw,
    next_desk_sequence,
    queue_length_at,
    returned_note,
    scan_fails,
    schedule_digitisation,
)

MONDAY = datetime(2026, 3, 2, 9, 30, tzinfo=HANOI_TZ)
FRIDAY = datetime(2026, 3, 6, 9, 30, tzinfo=HANOI_TZ)


def at(day: datetime, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute, second=second)


def run_desk(arrivals: list[datetime], capacity: int) -> list[DigitisationSlot]:
    """Admit arrivals one after another at one desk, as the service does."""
    slots: list[DigitisationSlot] = []
    free_at: datetime | None = None
    for received in arrivals:
        slot = schedule_digitisation(received, free_at, capacity)
        free_at = slot.done
        slots.append(slot)
    return slots


# -- digitisation in working time -------------------------------------------------------


def test_digitisation_takes_one_capacity_share_of_a_working_day() -> None:
    slot = schedule_digitisation(MONDAY, None, 400)
    assert slot.start == MONDAY
    assert slot.done == MONDAY + timedelta(seconds=9 * 3600 / 400)


def test_an_idle_desk_starts_at_once_during_office_hours() -> None:
    earlier_free = MONDAY - timedelta(hours=1)
    assert schedule_digitisation(MONDAY, earlier_free, 9).start == MONDAY


def test_a_dossier_waits_until_the_desk_is_free() -> None:
    busy_until = MONDAY + timedelta(hours=2)
    slot = schedule_digitisation(MONDAY, busy_until, 9)
    assert slot.start == busy_until
    assert slot.done == busy_until + timedelta(hours=1)


def test_a_dossier_received_after_closing_starts_the_next_morning() -> None:
    slot = schedule_digitisation(at(MONDAY, 18), None, 9)
    assert slot.start == at(MONDAY + timedelta(days=1), 8)
    assert slot.received == at(MONDAY, 18)


def test_digitisation_running_past_closing_time_ends_the_next_working_day() -> None:
    slot = schedule_digitisation(at(MONDAY, 16, 30), None, 9)
    assert slot.done == at(MONDAY + timedelta(days=1), 8, 30)


def test_a_dossier_received_on_saturday_starts_on_monday_morning() -> None:
    saturday = FRIDAY + timedelta(days=1)
    slot = schedule_digitisation(at(saturday, 10), None, 9)
    assert slot.start == at(FRIDAY + timedelta(days=3), 8)


def test_digitisation_running_past_friday_closing_ends_on_monday() -> None:
    slot = schedule_digitisation(at(FRIDAY, 16, 30), None, 9)
    assert slot.done == at(FRIDAY + timedelta(days=3), 8, 30)


def test_the_start_is_computed_in_hanoi_time_whatever_the_offset_given() -> None:
    received_utc = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)  # 09:30 in Hanoi
    assert schedule_digitisation(received_utc, None, 9).start == MONDAY


def test_a_desk_needs_a_positive_capacity() -> None:
    with pytest.raises(ValueError, match="capacity"):
        schedule_digitisation(MONDAY, None, 0)


# -- queue arithmetic --------------------------------------------------------------------


def test_the_queue_at_an_arrival_counts_the_arriving_dossier() -> None:
    [slot] = run_desk([MONDAY], 9)
    assert queue_length_at(slot.received, [slot]) == 1


def test_the_queue_at_a_departure_no_longer_counts_the_leaving_dossier() -> None:
    slots = run_desk([MONDAY, MONDAY], 9)
    assert queue_length_at(slots[0].done, slots) == 1
    assert queue_length_at(slots[1].done, slots) == 0


def test_a_dossier_not_yet_received_is_not_in_the_queue() -> None:
    [slot] = run_desk([MONDAY], 9)
    assert queue_length_at(MONDAY - timedelta(seconds=1), [slot]) == 0


def test_the_queue_left_on_friday_evening_waits_over_the_weekend() -> None:
    slots = run_desk([at(FRIDAY, 16, 30)] * 3, 9)
    sunday_noon = at(FRIDAY + timedelta(days=2), 12)
    monday = FRIDAY + timedelta(days=3)
    assert queue_length_at(sunday_noon, slots) == 3
    assert queue_length_at(at(monday, 8, 45), slots) == 2
    assert queue_length_at(at(monday, 10, 30), slots) == 0


def test_the_queue_at_office_closing_is_still_there_the_next_morning() -> None:
    slots = run_desk([at(MONDAY, 15, 30)] * 4, 9)
    tuesday = MONDAY + timedelta(days=1)
    assert [s.done for s in slots] == [at(MONDAY, 16, 30)] + [
        at(tuesday, h, 30) for h in (8, 9, 10)
    ]
    assert queue_length_at(at(MONDAY, 16, 59), slots) == 3
    assert queue_length_at(at(MONDAY, 23), slots) == 3
    assert queue_length_at(at(tuesday, 7, 59), slots) == 3
    assert queue_length_at(at(tuesday, 9), slots) == 2


def test_capacity_below_demand_makes_the_queue_grow() -> None:
    arrivals = [at(MONDAY, 8) + timedelta(minutes=30 * i) for i in range(18)]  # 2 an hour
    slots = run_desk(arrivals, 9)  # 1 an hour
    lengths = [queue_length_at(s.received, slots) for s in slots]
    assert lengths == sorted(lengths)
    assert lengths[-1] == 10


def test_capacity_above_demand_keeps_the_queue_at_one() -> None:
    arrivals = [at(MONDAY, 8) + timedelta(hours=i) for i in range(9)]  # 1 an hour
    slots = run_desk(arrivals, 18)  # 2 an hour
    assert {queue_length_at(s.received, slots) for s in slots} == {1}


# -- scan failures -----------------------------------------------------------------------


def test_a_draw_is_the_same_for_the_same_dossier_and_purpose() -> None:
    assert draw("d-1", "scan") == draw("d-1", "scan")
    assert draw("d-1", "scan") != draw("d-1", "other")
    assert 0 <= draw("d-1", "scan") < 1


def test_scan_failure_is_deterministic_per_dossier_id() -> None:
    ids = [f"dossier-{i}" for i in range(200)]
    assert [scan_fails(i, 0.3) for i in ids] == [scan_fails(i, 0.3) for i in ids]


def test_no_scan_fails_at_rate_zero_and_every_scan_fails_at_rate_one() -> None:
    ids = [f"dossier-{i}" for i in range(200)]
    assert not any(scan_fails(i, 0.0) for i in ids)
    assert all(scan_fails(i, 1.0) for i in ids)


def test_scan_failures_happen_at_about_the_configured_rate() -> None:
    failures = sum(scan_fails(f"dossier-{i}", 0.1) for i in range(10_000))
    assert 900 <= failures <= 1100


# -- dossier codes -----------------------------------------------------------------------


def test_the_first_desk_dossier_of_a_day_gets_the_first_number_of_the_desk_block() -> None:
    assert DESK_SEQUENCE_BLOCK == (6000, 8999)
    assert next_desk_sequence(None) == 6000


def test_each_next_desk_dossier_gets_the_next_number() -> None:
    assert next_desk_sequence(6000) == 6001
    assert next_desk_sequence(8998) == 8999


def test_the_desk_block_cannot_overflow_into_the_linked_steps_block() -> None:
    with pytest.raises(DeskSequenceExhaustedError, match="6000-8999"):
        next_desk_sequence(8999)


def test_the_dossier_code_carries_the_unit_the_hanoi_date_and_the_sequence() -> None:
    late_evening_utc = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # 03:00 on 3 March in Hanoi
    code = desk_dossier_code("00101", late_evening_utc, 6000)
    assert code == "00101-260303-6000"
    assert parse_dossier_code(code).sequence == 6000


# -- outcomes ----------------------------------------------------------------------------


def test_the_returned_note_of_an_approval_names_the_result_document() -> None:
    note = returned_note(Outcome.APPROVED, "KS-2026-001", None, None)
    assert note == "approved; result document KS-2026-001 returned at the desk"


def test_the_returned_note_of_a_rejection_gives_the_reason() -> None:
    note = returned_note(Outcome.REJECTED, None, "identity_mismatch", "applicant: full_name")
    assert note.startswith("rejected [identity_mismatch]: applicant: full_name")
