"""Chip ID cards (CCCD, procedure 2): produced and returned by Public Security at its capacity.

Hanoi's one-year review of Project 06 (February 2023) counts 6.5 million CCCD applications
taken in the year and 6.0 million cards returned. Public Security verifies an application
as any dossier (the adapter's decision and days), then the card waits for the card line:
the line produces ``capacity_per_day`` cards a working day, one after another in the order
the portal takes the applications, and the dossier settles when its card is done. Pure:
the caller keeps when the line is next free.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from contracts.events import DossierRouted, Outcome
from contracts.worktime import add_working_days, working_days_between
from services.national_portal.ministries.base import Decision

__all__ = ["ID_CARD", "CardSlot", "card_slot", "with_card_production"]

#: The catalogue number of the ID-card procedure (2.001194 re-issue, 2.001195 renewal).
ID_CARD = 2


@dataclass(frozen=True)
class CardSlot:
    """When a verified card could go into production, when it did, and when it was done."""

    ready: datetime
    start: datetime
    done: datetime


def card_slot(ready: datetime, line_free_at: datetime | None, capacity_per_day: float) -> CardSlot:
    """The card's slot on a line free from ``line_free_at``: it starts when it is ready or
    when the line has finished the cards ahead of it, whichever is later, and takes
    ``1 / capacity_per_day`` working days (office hours only)."""
    if capacity_per_day <= 0:
        raise ValueError("the card line's capacity must be above 0 cards per working day")
    start = ready if line_free_at is None or line_free_at <= ready else line_free_at
    return CardSlot(ready, start, add_working_days(start, 1 / capacity_per_day))


def with_card_production(
    decision: Decision,
    routed: DossierRouted,
    line_free_at: datetime | None,
    capacity_per_day: float,
) -> tuple[Decision, CardSlot | None]:
    """An approved ID card's decision settled when its card is done (and the slot); any
    other decision, or any decision with no card line (`capacity_per_day` 0), as it is."""
    if decision.outcome is not Outcome.APPROVED or capacity_per_day <= 0:
        return decision, None  # 0: no card line, the card is done when verified
    ready = add_working_days(routed.routed_simtime, decision.days)
    slot = card_slot(ready, line_free_at, capacity_per_day)
    days = working_days_between(routed.routed_simtime, slot.done)
    return replace(decision, days=max(decision.days, days)), slot
