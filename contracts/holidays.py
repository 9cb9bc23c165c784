"""Vietnam's public holidays as data: the days public offices close and the Saturdays they work.

The rules are the Labour Code 2019 (Bộ luật Lao động, Law 45/2019/QH14):

- art. 112(1): New Year's Day (Tết Dương lịch, 1 January), 5 days of the lunar new year
  (Tết Nguyên đán), the Hùng Kings' Commemoration (Giỗ Tổ Hùng Vương, 10th day of the
  3rd lunar month), Victory Day (30 April), Labour Day (1 May), National Day (Quốc
  khánh, 2 September and one day before or after it);
- art. 112(3): each year the Prime Minister decides which 5 days of Tết and which day beside
  2 September are taken;
- art. 111(3): a holiday that falls on a weekly rest day gives a compensatory day off on the
  next working day.

The days the Prime Minister chose, and the swaps (a weekday off, a Saturday worked instead),
are announced each year by the ministry in charge of labour (the Ministry of Labour,
Invalids and Social Affairs; from March 2025 the Ministry of Home Affairs). This table
holds what is known for the years the scenarios use; an entry with ``sure=False`` is an
inference (a choice not yet announced, or a recollection not checked against the notice),
listed in docs/design.md ("Public holidays"). Years outside ``HOLIDAY_YEARS`` have no
holidays: weekends only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = [
    "HOLIDAY_YEARS",
    "DayOff",
    "MakeUpDay",
    "closures_between",
    "has_holiday_data",
    "is_day_off",
    "is_make_up_day",
]

NEW_YEAR = "Tết Dương lịch (New Year's Day)"
TET = "Tết Nguyên đán (lunar new year)"
HUNG_KINGS = "Giỗ Tổ Hùng Vương (Hùng Kings' Commemoration)"
VICTORY = "Ngày Chiến thắng (Victory Day, 30 April)"
LABOUR = "Ngày Quốc tế Lao động (Labour Day, 1 May)"
NATIONAL = "Quốc khánh (National Day)"
STATUTORY = "statutory (Labour Code art. 112)"
COMPENSATORY = "compensatory day off: the holiday falls on a weekend (art. 111(3))"
CHOSEN = "chosen by the Prime Minister (art. 112(3))"


@dataclass(frozen=True)
class DayOff:
    """A day public offices are closed for a holiday (a weekday, or the holiday's own date)."""

    day: date
    name: str
    why: str
    sure: bool = True


@dataclass(frozen=True)
class MakeUpDay:
    """A Saturday offices work to make up for a weekday taken off (a swap)."""

    day: date
    instead_of: date
    sure: bool = True


def _off(iso: str, name: str, why: str = STATUTORY, *, sure: bool = True) -> DayOff:
    return DayOff(date.fromisoformat(iso), name, why, sure)


_DAYS_OFF: tuple[DayOff, ...] = (
    # 2025: lunar new year Wednesday 29 January; Tết off Saturday 25 Jan - Sunday 2 Feb.
    _off("2025-01-01", NEW_YEAR),
    _off("2025-01-27", TET, CHOSEN),  # 28th of the 12th lunar month
    _off("2025-01-28", TET, CHOSEN),  # lunar new year's eve
    _off("2025-01-29", TET, CHOSEN),  # 1st day of the lunar year
    _off("2025-01-30", TET, CHOSEN),
    _off("2025-01-31", TET, CHOSEN),
    _off("2025-04-07", HUNG_KINGS),
    _off("2025-04-30", VICTORY),
    _off("2025-05-01", LABOUR),
    _off("2025-05-02", "swap for 30 April - 1 May", "swapped with Saturday 26 April", sure=False),
    _off("2025-09-01", NATIONAL, CHOSEN),
    _off("2025-09-02", NATIONAL),
    # 2026: lunar new year Tuesday 17 February; Tết off Saturday 14 - Sunday 22 February.
    _off("2026-01-01", NEW_YEAR),
    _off("2026-02-16", TET, CHOSEN),  # lunar new year's eve (29th of the 12th month)
    _off("2026-02-17", TET, CHOSEN),
    _off("2026-02-18", TET, CHOSEN),
    _off("2026-02-19", TET, CHOSEN),
    _off("2026-02-20", TET, CHOSEN),
    _off("2026-04-26", HUNG_KINGS),  # a Sunday
    _off("2026-04-27", HUNG_KINGS, COMPENSATORY),
    _off("2026-04-30", VICTORY),
    _off("2026-05-01", LABOUR),
    _off("2026-09-01", NATIONAL, CHOSEN, sure=False),  # or Thursday 3 September
    _off("2026-09-02", NATIONAL),
    # 2027: lunar new year Saturday 6 February; the Tết days are not announced yet: the eve
    # and the first four days, the two on the weekend compensated on Wednesday and Thursday.
    _off("2027-01-01", NEW_YEAR),
    _off("2027-02-05", TET, CHOSEN, sure=False),
    _off("2027-02-06", TET, CHOSEN, sure=False),
    _off("2027-02-07", TET, CHOSEN, sure=False),
    _off("2027-02-08", TET, CHOSEN, sure=False),
    _off("2027-02-09", TET, CHOSEN, sure=False),
    _off("2027-02-10", TET, COMPENSATORY, sure=False),
    _off("2027-02-11", TET, COMPENSATORY, sure=False),
    _off("2027-04-16", HUNG_KINGS),
    _off("2027-04-30", VICTORY),
    _off("2027-05-01", LABOUR),  # a Saturday
    _off("2027-05-03", LABOUR, COMPENSATORY),
    _off("2027-09-02", NATIONAL),
    _off("2027-09-03", NATIONAL, CHOSEN, sure=False),  # as in 2021, when 2 September was a Thursday
)

_MAKE_UP_DAYS: tuple[MakeUpDay, ...] = (
    MakeUpDay(date(2025, 4, 26), instead_of=date(2025, 5, 2), sure=False),
)

#: The years this table covers; any other year has weekends only.
HOLIDAY_YEARS: frozenset[int] = frozenset({2025, 2026, 2027})

_OFF: dict[date, DayOff] = {entry.day: entry for entry in _DAYS_OFF}
_WORKED: frozenset[date] = frozenset(entry.day for entry in _MAKE_UP_DAYS)

if any(d.year not in HOLIDAY_YEARS for d in (*_OFF, *_WORKED)):  # pragma: no cover
    raise RuntimeError("a holiday entry lies outside HOLIDAY_YEARS")


def has_holiday_data(year: int) -> bool:
    """Whether the table covers this year (else: weekends only)."""
    return year in HOLIDAY_YEARS


def is_day_off(day: date) -> bool:
    """A holiday, a compensatory day or a swapped day off in the table."""
    return day in _OFF


def is_make_up_day(day: date) -> bool:
    """A Saturday worked in exchange for a weekday off."""
    return day in _WORKED


def closures_between(first: date, last: date) -> list[DayOff]:
    """The table's weekday closures from ``first`` to ``last`` inclusive, in date order."""
    return sorted(
        (e for e in _DAYS_OFF if first <= e.day <= last and e.day.weekday() < 5),
        key=lambda e: e.day,
    )
