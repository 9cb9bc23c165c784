"""When in a day a dossier arrives: online at any hour, at a desk in office hours.

Online portals take submissions day and night, every day. Their shape over the day is an
ASSUMPTION (no hourly figures are published): few at night, a first peak in the morning
office hours, a dip at lunch, a second one in the evening after work. The same shape
holds on every day of the week and on holidays: about 56% of online submissions fall in
office hours (08:00-17:00), 44% outside them (25% from 19:00 to 23:00, 5% before 07:00).

Desks are open 08:00-17:00 on working days; arrivals are uniform over those hours.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from contracts.worktime import HANOI_TZ, OFFICE_CLOSE, OFFICE_OPEN

__all__ = ["ONLINE_HOUR_WEIGHTS", "desk_moment", "online_moment"]

#: Relative weight of each hour of the day (0-23, Hanoi time) for online submissions.
ONLINE_HOUR_WEIGHTS: tuple[int, ...] = (
    10, 5, 3, 3, 3, 5, 10, 20,  # 00-07: night, early morning
    40, 60, 60, 50, 30, 40, 60, 60, 50,  # 08-16: office hours, lunch dip at 12
    40, 30, 40, 60, 60, 40, 20,  # 17-23: commute, evening after work
)  # fmt: skip
_CUMULATIVE = tuple(accumulate(ONLINE_HOUR_WEIGHTS))
_HOURS = tuple(range(24))
_OFFICE_SECONDS = int(
    (datetime.combine(date.min, OFFICE_CLOSE) - datetime.combine(date.min, OFFICE_OPEN)).seconds
)


def online_moment(rng: random.Random, day: date) -> datetime:
    """A moment of `day` (Hanoi time) drawn from the online shape of the day."""
    hour = rng.choices(_HOURS, cum_weights=_CUMULATIVE)[0]
    midnight = datetime.combine(day, time(0, 0), HANOI_TZ)
    return midnight + timedelta(hours=hour, seconds=rng.randrange(3600))


def desk_moment(rng: random.Random, day: date) -> datetime:
    """A moment of the office hours of `day` (Hanoi time), uniformly drawn."""
    opening = datetime.combine(day, OFFICE_OPEN, HANOI_TZ)
    return opening + timedelta(seconds=rng.randrange(_OFFICE_SECONDS))
