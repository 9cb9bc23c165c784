"""Vietnam's public holidays in the working-day calendar: offices close, legal limits wait."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from contracts.holidays import HOLIDAY_YEARS, closures_between, has_holiday_data, is_make_up_day
from contracts.worktime import (
    HANOI_TZ,
    add_working_days,
    is_working_day,
    next_office_moment,
    within_legal_limit,
    working_days_between,
)


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=HANOI_TZ)


@pytest.mark.parametrize(
    "day",
    [
        "2025-01-01",  # New Year's Day, a Wednesday
        "2025-01-29",  # the first day of the lunar year
        "2025-04-07",  # Hùng Kings' Commemoration
        "2025-09-02",
        "2026-01-01",
        "2026-02-16",  # lunar new year's eve
        "2026-02-20",
        "2026-04-27",  # compensatory: Hùng Kings fell on Sunday 26 April
        "2026-04-30",
        "2026-05-01",
        "2026-09-02",  # National Day, a Wednesday
        "2027-04-16",
        "2027-05-03",  # compensatory: Labour Day fell on a Saturday
        "2027-09-02",
    ],
)
def test_a_public_holiday_is_not_a_working_day(day: str) -> None:
    assert not is_working_day(date.fromisoformat(day))


def test_the_days_around_a_holiday_are_working_days() -> None:
    assert is_working_day(date(2026, 2, 13))  # the Friday before Tết
    assert is_working_day(date(2026, 2, 23))  # the Monday after
    assert is_working_day(date(2026, 9, 3))


def test_a_saturday_worked_in_a_swap_is_a_working_day_and_its_weekday_is_not() -> None:
    assert is_make_up_day(date(2025, 4, 26))
    assert is_working_day(date(2025, 4, 26))
    assert not is_working_day(date(2025, 5, 2))


def test_a_dossier_received_before_tet_counts_the_holiday_as_non_working() -> None:
    received = at("2026-02-13")  # Friday before Tết (off Saturday 14 - Sunday 22 February)
    assert add_working_days(received, 1) == at("2026-02-23")
    assert next_office_moment(at("2026-02-17")) == at("2026-02-23", 8)
    assert working_days_between(received, at("2026-02-23", 17)) == pytest.approx(1 + 7 / 9)
    assert within_legal_limit(received, at("2026-02-24", 9), 2)
    assert not within_legal_limit(received, at("2026-02-24", 11), 1)


def test_a_same_day_procedure_received_on_a_holiday_is_on_time_on_the_next_working_day() -> None:
    received = at("2026-09-02", 21)  # National Day, in the evening
    assert within_legal_limit(received, at("2026-09-03", 16), 0)
    assert not within_legal_limit(received, at("2026-09-04", 9), 0)


@pytest.mark.parametrize("day", ["2024-09-02", "2028-01-03", "2030-01-01", "2024-02-12"])
def test_a_year_without_holiday_data_falls_back_to_weekends_only(day: str) -> None:
    weekday = date.fromisoformat(day)
    assert not has_holiday_data(weekday.year)
    assert weekday.weekday() < 5 and is_working_day(weekday)
    assert not is_working_day(weekday + timedelta(days=5 - weekday.weekday()))  # its Saturday


def test_each_year_of_the_table_closes_offices_on_11_working_days_net() -> None:
    """Labour Code art. 112: 11 holidays; weekend ones are made up by compensatory days."""
    for year in sorted(HOLIDAY_YEARS):
        closures = closures_between(date(year, 1, 1), date(year, 12, 31))
        made_up = sum(is_make_up_day(date(year, 1, 1) + timedelta(d)) for d in range(365))
        assert len(closures) - made_up == 11, year


def test_tet_closes_offices_on_five_weekdays_in_each_year_of_the_table() -> None:
    for first, last in [("2025-01-25", "2025-02-02"), ("2026-02-14", "2026-02-22")]:
        closures = closures_between(date.fromisoformat(first), date.fromisoformat(last))
        assert Counter(c.name.split(" (")[0] for c in closures) == {"Tết Nguyên đán": 5}
    tet_2027 = closures_between(date(2027, 2, 1), date(2027, 2, 14))
    assert len(tet_2027) == 5 and not any(c.sure for c in tet_2027)  # not announced yet


def test_each_holiday_has_a_name_and_the_reason_it_is_off() -> None:
    for closure in closures_between(date(2025, 1, 1), date(2027, 12, 31)):
        assert closure.name and closure.why
