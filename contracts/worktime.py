"""Simulated working time: office hours on working days, 08:00-17:00 in Hanoi (UTC+7).

A working day is a Monday to Friday that is not a public holiday, a compensatory day off
or a swapped day off, or a Saturday worked in a swap (`contracts.holidays`, Vietnam's
holidays for the years that table covers; any other year: Monday to Friday). Durations in
working days are computed, never slept. One working day is one full office day (9 office
hours), so working days taken and legal time limits skip the holidays.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from contracts.holidays import is_day_off, is_make_up_day

__all__ = [
    "HANOI_TZ",
    "OFFICE_CLOSE",
    "OFFICE_OPEN",
    "add_working_days",
    "is_office_hours",
    "is_working_day",
    "next_office_moment",
    "within_legal_limit",
    "working_days_between",
]

HANOI_TZ = timezone(timedelta(hours=7), "ICT")
OFFICE_OPEN = time(8, 0)
OFFICE_CLOSE = time(17, 0)
_DAY_SECONDS = 9 * 3600.0


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("simulated times must be timezone-aware")
    return moment.astimezone(HANOI_TZ)


def is_working_day(day: date) -> bool:
    """Monday to Friday except the holidays, plus the Saturdays worked in a swap."""
    if is_make_up_day(day):
        return True
    return day.weekday() < 5 and not is_day_off(day)


def is_office_hours(moment: datetime) -> bool:
    """True inside 08:00-17:00 of a working day, Hanoi time."""
    local = _local(moment)
    return is_working_day(local.date()) and OFFICE_OPEN <= local.time() < OFFICE_CLOSE


def _opening(day: date) -> datetime:
    return datetime.combine(day, OFFICE_OPEN, HANOI_TZ)


def next_office_moment(moment: datetime) -> datetime:
    """The moment itself inside office hours, else the next opening time."""
    local = _local(moment)
    day = local.date()
    if is_working_day(day) and local.time() < OFFICE_OPEN:
        return _opening(day)
    if is_office_hours(local):
        return local
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return _opening(day)


def add_working_days(start: datetime, days: float) -> datetime:
    """The simulated moment `days` working days of office time after `start`.

    Zero days gives the start itself moved into office hours ("on receipt").
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = next_office_moment(start)
    remaining = days * _DAY_SECONDS
    while True:
        close = datetime.combine(current.date(), OFFICE_CLOSE, HANOI_TZ)
        left_today = (close - current).total_seconds()
        if remaining < left_today or (remaining == 0):
            return current + timedelta(seconds=remaining)
        remaining -= left_today
        current = next_office_moment(close)
        if remaining == 0:
            return current


def working_days_between(start: datetime, end: datetime) -> float:
    """Office time between two simulated moments, in working days (0 when end <= start)."""
    if end <= start:
        return 0.0
    current = next_office_moment(start)
    end_local = _local(end)
    seconds = 0.0
    while current < end_local:
        close = datetime.combine(current.date(), OFFICE_CLOSE, HANOI_TZ)
        seconds += (min(close, end_local) - current).total_seconds()
        current = next_office_moment(close)
    return round(seconds / _DAY_SECONDS, 6)


def within_legal_limit(
    received: datetime, settled: datetime, legal_limit_days: int | None
) -> bool | None:
    """Whether a dossier received at `received` and settled at `settled` met its legal limit.

    None when the procedure has no limit. A limit of 0 working days means "on receipt"
    (giải quyết trong ngày): met when the decision falls on the office day the dossier
    was received on (the day of the first office moment at or after receipt; a dossier
    handed in on a Saturday is on time when settled on Monday). Any other limit is met
    when the office time between receipt and decision is at most that many working days.
    """
    if legal_limit_days is None:
        return None
    if legal_limit_days == 0:
        first_office_day = next_office_moment(received).date()
        return _local(settled).date() <= first_office_day
    return working_days_between(received, settled) <= legal_limit_days + 1e-9
