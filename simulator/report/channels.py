"""Which volumes are published and which synthetic, by channel; the calendar of the run.

A published volume is an online count (Hanoi published the 2022 online counts of two
residence procedures), so it labels the online part of a procedure's demand only when all
of it goes online; every desk volume, and every part of a split published count, is
synthetic. The calendar block names the public holidays of the period and the years the
holiday table does not cover (weekends only).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from contracts.holidays import closures_between, has_holiday_data
from contracts.worktime import HANOI_TZ, is_office_hours, is_working_day
from simulator.report.dossiers import RootView
from simulator.report.stats import share
from simulator.scenarios.scenario import Scenario
from simulator.scenarios.volumes import channel_rates, demand_period, expected_by_channel

__all__ = ["arrivals_by_channel", "calendar_block", "volume_block"]

PUBLISHED, SYNTHETIC = "published", "synthetic"


def _published_figure(scenario: Scenario, code: str) -> dict[str, float] | None:
    volume = scenario.demand.procedures[code]
    if not volume.published:
        return None
    if volume.per_year is not None:
        return {"per_year": volume.per_year}
    return {"per_day": volume.per_day or 0.0}


def volume_block(scenario: Scenario, code: str) -> dict[str, Any] | None:
    """One procedure's demand: the published figure (if any) and each channel's source."""
    volume = scenario.demand.procedures.get(code)
    if volume is None:
        return None
    rates = channel_rates(volume, scenario.demand.online_share)
    online, desk = expected_by_channel(scenario)[code]
    scale = scenario.demand.scale
    whole = volume.published and rates.online_share == 1.0
    online_source = PUBLISHED if whole else SYNTHETIC
    if volume.published and not whole:
        online_source = f"{rates.online_share:.0%} of a published online count"
    if volume.published:
        source = f"online {online_source}" + (", desk synthetic" if desk else "")
    else:
        source = SYNTHETIC
    return {
        "published": volume.published,
        "published_figure": _published_figure(scenario, code),
        "published_counts": "online submissions" if volume.published else None,
        "source": source,
        "scale": scale,
        "expected": round(online + desk, 1),
        "online": {
            "per_calendar_day": round(rates.online_per_day * scale, 3),
            "expected": round(online, 1),
            "source": online_source,
        },
        "desk": {
            "per_working_day": round(rates.desk_per_day * scale, 3),
            "expected": round(desk, 1),
            "source": SYNTHETIC,
        },
    }


def calendar_block(scenario: Scenario) -> dict[str, Any]:
    """The simulated period, its working days and the public holidays that close the desks."""
    period = demand_period(scenario.start_date, scenario.days)
    years = range(period.first.year, period.last.year + 1)
    return {
        "first_day": period.first.isoformat(),
        "last_day": period.last.isoformat(),
        "calendar_days": len(period.calendar),
        "working_days": len(period.working),
        "holidays": [
            {"date": c.day.isoformat(), "name": c.name, "why": c.why, "sure": c.sure}
            for c in closures_between(period.first, period.last)
        ],
        "years_without_holiday_data": [y for y in years if not has_holiday_data(y)],
        "online_arrive": "every calendar day, at any hour",
        "desk_arrive": "working days, 08:00-17:00",
    }


def _received(view: RootView) -> str | None:
    seen = view.settlement or view.submission
    return seen.received_simtime if seen is not None else None


def arrivals_by_channel(roots: list[RootView]) -> dict[str, dict[str, Any]]:
    """Per channel: dossiers, those received outside office hours or on a day desks are
    closed, and the share of the judged ones decided within the legal limit."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for view in roots:
        row = counts[view.channel or "unknown"]
        row["dossiers"] += 1
        stamp = _received(view)
        if stamp is not None:
            moment = datetime.fromisoformat(stamp).astimezone(HANOI_TZ)
            row["outside_office_hours"] += not is_office_hours(moment)
            row["on_non_working_days"] += not is_working_day(moment.date())
        within = view.settlement.within_legal_limit if view.settlement else None
        if within is not None:
            row["judged"] += 1
            row["within"] += within
    return {
        channel: {
            "dossiers": row["dossiers"],
            "outside_office_hours": row["outside_office_hours"],
            "on_non_working_days": row["on_non_working_days"],
            "judged_against_limit": row["judged"],
            "share_within_legal_limit": share(row["within"], row["judged"]),
        }
        for channel, row in sorted(counts.items())
    }
