"""The one settlement vocabulary: legal limits, document numbers, settled events, notes."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contracts.catalogue import Portal
from contracts.events import Channel, DossierStatus, DossierStatusChanged, Outcome
from contracts.worktime import (
    HANOI_TZ,
    add_working_days,
    next_office_moment,
    within_legal_limit,
    working_days_between,
)
from services.kit.settlement import (
    NOTE_MAX_LENGTH,
    DossierFacts,
    Verdict,
    document_number,
    settle,
    settlement_events,
    status_change,
)
from tests.factories import submission

MONDAY_9 = datetime(2025, 3, 3, 9, 0, tzinfo=HANOI_TZ)
moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)).map(
    lambda d: d.replace(tzinfo=HANOI_TZ)
)
days = st.floats(min_value=0, max_value=60, allow_nan=False)
limits = st.integers(min_value=1, max_value=45)


def facts(received: datetime = MONDAY_9) -> DossierFacts:
    return DossierFacts(
        dossier_id="d-1",
        dossier_code="000.00.01.H26-250303-0001",
        procedure_code="1.001193",
        channel=Channel.ONLINE,
        received_unit="H26",
        received_simtime=received,
    )


@given(moments)
def test_no_legal_limit_is_neither_met_nor_missed(received: datetime) -> None:
    assert within_legal_limit(received, received + timedelta(days=3), None) is None


@given(moments, days, limits)
def test_a_limit_is_met_exactly_when_the_office_time_taken_is_within_it(
    received: datetime, taken: float, limit: int
) -> None:
    settled = add_working_days(received, taken)
    expected = working_days_between(received, settled) <= limit + 1e-9
    assert within_legal_limit(received, settled, limit) is expected


@given(moments, limits)
def test_settling_at_the_limit_is_on_time(received: datetime, limit: int) -> None:
    assert within_legal_limit(received, add_working_days(received, limit), limit) is True


@given(moments, st.floats(min_value=0, max_value=0.999))
def test_on_receipt_is_met_on_the_first_office_day(received: datetime, share: float) -> None:
    first = next_office_moment(received)
    close = first.replace(hour=17, minute=0, second=0, microsecond=0)
    settled = first + (close - first) * share
    assert within_legal_limit(received, settled, 0) is True


@given(moments)
def test_on_receipt_is_missed_on_the_next_office_day(received: datetime) -> None:
    first = next_office_moment(received)
    next_day = next_office_moment(first.replace(hour=17, minute=0, second=0, microsecond=0))
    assert within_legal_limit(received, next_day, 0) is False


def test_on_receipt_late_in_the_day_is_missed_next_morning_though_under_one_day() -> None:
    received = MONDAY_9.replace(hour=16, minute=30)
    next_morning = received + timedelta(hours=17)  # Tuesday 09:30, 1.5 office hours later
    assert working_days_between(received, next_morning) < 1
    assert within_legal_limit(received, next_morning, 0) is False


def test_a_weekend_receipt_settled_on_monday_is_on_receipt() -> None:
    saturday = MONDAY_9 - timedelta(days=2)
    assert within_legal_limit(saturday, MONDAY_9 + timedelta(hours=2), 0) is True


@given(st.text(min_size=1, max_size=40), moments)
def test_a_document_number_is_prefix_hanoi_year_and_six_digits(dossier: str, at: datetime) -> None:
    prefix, year, digits = document_number("KS", dossier, at).split("-")
    assert (prefix, int(year), len(digits)) == ("KS", at.astimezone(HANOI_TZ).year, 6)


def test_a_document_number_takes_hanoi_s_year_not_utc_s() -> None:
    new_year_in_hanoi = datetime(2026, 1, 1, 3, 0, tzinfo=HANOI_TZ)  # 2025-12-31 in UTC
    assert document_number("KS", "d-1", new_year_in_hanoi).startswith("KS-2026-")


def test_an_approval_carries_a_document_and_no_reason() -> None:
    settled = settle(
        facts(),
        Verdict.approve("KS"),
        settled_by=Portal.CITY_PORTAL,
        settled_at=MONDAY_9 + timedelta(hours=1),
        legal_limit_days=0,
    )
    assert settled.outcome is Outcome.APPROVED
    assert settled.result_document_number == document_number("KS", "d-1", settled.settled_simtime)
    assert (settled.reason_code, settled.within_legal_limit) == (None, True)


def test_a_rejection_carries_its_reason_and_no_document() -> None:
    settled = settle(
        facts(),
        Verdict.reject("identity_mismatch", "The ID number does not match."),
        settled_by=Portal.NATIONAL_PORTAL,
        settled_at=add_working_days(MONDAY_9, 4),
        legal_limit_days=3,
    )
    assert (settled.result_document_number, settled.reason_code) == (None, "identity_mismatch")
    assert (settled.working_days_taken, settled.within_legal_limit) == (4.0, False)


def test_settlement_events_are_the_settlement_then_its_terminal_status() -> None:
    settled = settle(
        facts(),
        Verdict.reject("x", "why"),
        settled_by=Portal.CITY_PORTAL,
        settled_at=MONDAY_9,
        legal_limit_days=None,
    )
    topics = [(e.topic, e.simtime) for e in settlement_events(settled, "city_portal")]
    assert topics == [("dossier.settled", MONDAY_9), ("dossier.status.changed", MONDAY_9)]
    status = settlement_events(settled, "city_portal", note="step 1")[1].payload
    assert isinstance(status, DossierStatusChanged)
    assert [(t.status, t.note) for t in status.transitions] == [
        (DossierStatus.REJECTED, "step 1: x: why")
    ]


@given(st.text(max_size=2000))
def test_every_status_note_is_cut_to_the_contract_s_length(note: str) -> None:
    event = status_change("d", "c", "1.001193", DossierStatus.ROUTED, "by", MONDAY_9, note=note)
    assert isinstance(event.payload, DossierStatusChanged)
    assert event.payload.transitions[0].note == note[:NOTE_MAX_LENGTH]


def test_the_facts_of_a_submission_are_what_its_settlement_repeats() -> None:
    sub = submission(parent_dossier_id="parent-1", received_simtime=MONDAY_9)
    settled = settle(
        DossierFacts.of(sub),
        Verdict.approve("KS"),
        settled_by=Portal.CITY_PORTAL,
        settled_at=MONDAY_9,
        legal_limit_days=None,
    )
    repeated = ("dossier_id", "dossier_code", "procedure_code", "channel", "received_unit")
    assert [getattr(settled, f) for f in repeated] == [getattr(sub, f) for f in repeated]
    assert (settled.parent_dossier_id, settled.received_simtime) == ("parent-1", MONDAY_9)
