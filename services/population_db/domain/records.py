"""Population records that fail identity checks until they are cleaned (làm sạch dữ liệu).

Hanoi's one-year review of Project 06 (February 2023) says the population records are
still being cleaned, naming children's records and the records of people with merit
(người có công). A seeded record may be DIRTY in one named category; a check of a dirty
record fails even when the declaration is right, until a cleaning campaign reaches it:

- ``children``: a child (under 14 on the day the records are judged) whose record is not
  complete;
- ``merit``: a person with merit, standing for the people aged 60 or more whose merit
  record is not complete;
- ``moved``: anyone 14 or older whose record still shows a residence they moved from.

The shares are a population property (an ASSUMPTION, none is published). Which records
are dirty, and in which order the campaign cleans them, are hashes of the ID number: the
same population, the same dirty records, under every policy. The campaign cleans
``per_day`` records a working day from its start, in that order; a record is clean from
the moment its turn comes. Pure: the caller gives the seeded rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from contracts.worktime import add_working_days

__all__ = [
    "CATEGORIES",
    "CleaningPlan",
    "DirtyShares",
    "age_on",
    "cleaning_plan",
    "dirty_category",
    "record_field",
]

#: The named categories of dirty records, in the order the review names them.
CATEGORIES = ("children", "merit", "moved")
#: Age under which a record is a child's; age from which one stands for people with merit.
CHILD_UNDER = 14
MERIT_FROM = 60


@dataclass(frozen=True)
class DirtyShares:
    """Shares of the records of each category's people that are dirty."""

    children: float = 0.0
    merit: float = 0.0
    moved: float = 0.0

    @property
    def any(self) -> bool:
        """Whether any record can be dirty."""
        return bool(self.children or self.merit or self.moved)


def _uniform(id_number: str, purpose: str) -> float:
    digest = hashlib.blake2b(f"{id_number}:{purpose}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def age_on(birth: date, day: date) -> int:
    """Age in whole years on a day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def dirty_category(id_number: str, birth: date, as_of: date, shares: DirtyShares) -> str | None:
    """The category a record is dirty in (judged on ``as_of``), or None for a clean record."""
    u = _uniform(id_number, "dirty-record")
    age = age_on(birth, as_of)
    if age < CHILD_UNDER:
        return "children" if u < shares.children else None
    if age >= MERIT_FROM and u < shares.merit:
        return "merit"
    low = shares.merit if age >= MERIT_FROM else 0.0
    return "moved" if low <= u < low + shares.moved else None


def record_field(category: str) -> str:
    """The mismatched field an identity check names for a dirty record (``record_<category>``)."""
    return f"record_{category}"


@dataclass(frozen=True)
class CleaningPlan:
    """The dirty records (ID number -> category and turn) and the campaign that cleans them."""

    dirty: dict[str, tuple[str, int]]
    start: datetime
    per_day: float

    def cleaned_at(self, turn: int) -> datetime | None:
        """When the record of this turn is clean (None without a campaign)."""
        if self.per_day <= 0:
            return None
        return add_working_days(self.start, (turn + 1) / self.per_day)

    def problem(self, id_number: str, moment: datetime) -> str | None:
        """The category a check of this record at ``moment`` fails for, or None."""
        entry = self.dirty.get(id_number)
        if entry is None:
            return None
        category, turn = entry
        cleaned = self.cleaned_at(turn)
        return category if cleaned is None or moment < cleaned else None

    def counts(self) -> dict[str, int]:
        """Dirty records per category at the start."""
        found = {c: 0 for c in CATEGORIES}
        for category, _ in self.dirty.values():
            found[category] += 1
        return found


def cleaning_plan(
    people: Iterable[tuple[str, date]],
    shares: DirtyShares,
    as_of: date,
    start: datetime,
    per_day: float,
) -> CleaningPlan:
    """The plan over the seeded people (ID number, birth date): who is dirty, in which turn."""
    dirty = {
        id_number: category
        for id_number, birth in people
        if (category := dirty_category(id_number, birth, as_of, shares)) is not None
    }
    order = sorted(dirty, key=lambda id_number: (_uniform(id_number, "cleaning"), id_number))
    return CleaningPlan({n: (dirty[n], turn) for turn, n in enumerate(order)}, start, per_day)
