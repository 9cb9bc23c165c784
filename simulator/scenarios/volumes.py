"""How many dossiers a scenario's demand sends through each channel, on which days, from what.

The period of a scenario runs from its `start_date` to the last of its `days` working days
(`contracts.worktime.is_working_day`: weekends and public holidays are not working days).
Online submissions arrive on every calendar day of the period (portals never close);
dossiers handed in at a desk arrive on its working days only.

A procedure's volume (`per_day` or `per_year`) is split by its online share:

- the online part comes `per_day x share` per calendar day, or `per_year x share / 365`;
- the desk part `per_day x (1 - share)` per working day, or `per_year x (1 - share) / 250`;
- the separate desk volume (`desk_per_day`, or `desk_per_year / 250`) comes on top, at the
  desks, on working days.

A published volume is an online count (Hanoi's two published residence figures count
online submissions): its online share is 1.0 unless the scenario says otherwise, so its
online part is the published figure itself. Every desk volume is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from contracts.worktime import is_working_day
from simulator.scenarios.scenario import WORKING_DAYS_PER_YEAR, ProcedureDemand, Scenario

__all__ = [
    "CALENDAR_DAYS_PER_YEAR",
    "ChannelRates",
    "Period",
    "channel_rates",
    "demand_period",
    "expected_by_channel",
    "working_days",
]

CALENDAR_DAYS_PER_YEAR = 365
PUBLISHED = "published"
SYNTHETIC = "synthetic"


def working_days(start: date, count: int) -> list[date]:
    """The first `count` working days from `start` (weekends and public holidays skipped)."""
    days: list[date] = []
    day = start
    while len(days) < count:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Period:
    """The simulated days of a scenario's demand: calendar days, and the working days among them."""

    first: date
    last: date
    working: tuple[date, ...]

    @property
    def calendar(self) -> tuple[date, ...]:
        """Every day from `first` to `last`, inclusive."""
        return tuple(self.first + timedelta(d) for d in range((self.last - self.first).days + 1))


def demand_period(start: date, days: int) -> Period:
    """From `start` to the last of the first `days` working days on or after it."""
    working = tuple(working_days(start, days))
    return Period(first=start, last=working[-1], working=working)


@dataclass(frozen=True)
class ChannelRates:
    """A procedure's arrivals: online per calendar day, at desks per working day (unscaled)."""

    online_per_day: float
    desk_per_day: float
    online_share: float
    online_source: str
    desk_source: str = SYNTHETIC


def channel_rates(volume: ProcedureDemand, default_share: float) -> ChannelRates:
    """The rates of one procedure's demand (see the module's docstring)."""
    share = volume.online_share
    if share is None:
        share = 1.0 if volume.published else default_share
    if volume.per_day is not None:
        online, desk = volume.per_day * share, volume.per_day * (1 - share)
    else:
        yearly = volume.per_year or 0.0
        online = yearly * share / CALENDAR_DAYS_PER_YEAR
        desk = yearly * (1 - share) / WORKING_DAYS_PER_YEAR
    if volume.desk_per_day is not None:
        desk += volume.desk_per_day
    elif volume.desk_per_year is not None:
        desk += volume.desk_per_year / WORKING_DAYS_PER_YEAR
    return ChannelRates(
        online_per_day=online,
        desk_per_day=desk,
        online_share=share,
        online_source=PUBLISHED if volume.published else SYNTHETIC,
    )


def expected_by_channel(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Procedure code -> the (online, desk) dossiers the scenario's period should bring."""
    period = demand_period(scenario.start_date, scenario.days)
    calendar, working = len(period.calendar), len(period.working)
    scale = scenario.demand.scale
    expected: dict[str, tuple[float, float]] = {}
    for code, volume in scenario.demand.procedures.items():
        rates = channel_rates(volume, scenario.demand.online_share)
        expected[code] = (
            rates.online_per_day * calendar * scale,
            rates.desk_per_day * working * scale,
        )
    return expected
