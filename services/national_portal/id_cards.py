"""Chip ID cards (CCCD, procedure 2): produced and returned by Public Security at its capacity.

Hanoi's one-year review of Project 06 (February 2023) counts 6.5 million CCCD applications
taken in the year and 6.0 million cards returned. Public Security verifies an application
as any dossier (the adapter's decision and days); an approved card is then *ready* and
waits for the card line, which produces ``capacity_per_day`` cards a working day, one
after another **in the order the cards were ready** (ties by dossier id), and the dossier
settles when its card is done.

The order follows simulated time, not the order the portal happens to take the
applications: a ready card is held until the simulated clock (`SimulatedClockAdvanced`)
says that every application received before a moment has been taken, and only the held
cards ready before that moment go on the line (`release`). So the slots are a function
of the set of cards, the same in every run of a seed. Pure: the caller keeps the held
cards and when the line is next free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from contracts.events import DossierRouted, Outcome
from contracts.worktime import add_working_days, working_days_between
from services.national_portal.ministries.base import Decision

__all__ = [
    "ID_CARD",
    "CardSlot",
    "HeldCard",
    "card_slot",
    "line_slots",
    "ready_at",
    "released",
    "settled_decision",
]

#: The catalogue number of the ID-card procedure (2.001194 re-issue, 2.001195 renewal).
ID_CARD = 2


@dataclass(frozen=True)
class CardSlot:
    """When a verified card could go into production, when it did, and when it was done."""

    ready: datetime
    start: datetime
    done: datetime


@dataclass(frozen=True)
class HeldCard:
    """A verified card waiting for the line: its dossier and when it was ready."""

    dossier_id: str
    ready: datetime


def ready_at(decision: Decision, routed: DossierRouted) -> datetime:
    """When an approved application's card is ready for the line: verified, `decision.days`
    working days after its routing (never before it was received)."""
    start = max(routed.routed_simtime, routed.submission.received_simtime)
    return add_working_days(start, decision.days)


def card_slot(ready: datetime, line_free_at: datetime | None, capacity_per_day: float) -> CardSlot:
    """The card's slot on a line free from ``line_free_at``: it starts when it is ready or
    when the line has finished the cards ahead of it, whichever is later, and takes
    ``1 / capacity_per_day`` working days (office hours only)."""
    if capacity_per_day <= 0:
        raise ValueError("the card line's capacity must be above 0 cards per working day")
    start = ready if line_free_at is None or line_free_at <= ready else line_free_at
    return CardSlot(ready, start, add_working_days(start, 1 / capacity_per_day))


def released(held: Iterable[HeldCard], until: datetime | None) -> list[HeldCard]:
    """The held cards the clock releases: those ready before `until` (every one when None,
    the final clock), in the order they were ready, ties by dossier id."""
    chosen = [card for card in held if until is None or card.ready < until]
    return sorted(chosen, key=lambda card: (card.ready, card.dossier_id))


def line_slots(
    cards: Iterable[HeldCard], line_free_at: datetime | None, capacity_per_day: float
) -> list[tuple[HeldCard, CardSlot | None]]:
    """Each card's slot on the line, one after another in the given order (None for every
    card with no line, `capacity_per_day` 0: each done when it is ready)."""
    slots: list[tuple[HeldCard, CardSlot | None]] = []
    for card in cards:
        if capacity_per_day <= 0:
            slots.append((card, None))
            continue
        slot = card_slot(card.ready, line_free_at, capacity_per_day)
        line_free_at = slot.done
        slots.append((card, slot))
    return slots


def settled_decision(decision: Decision, routed: DossierRouted, slot: CardSlot | None) -> Decision:
    """An approved card's decision settled when its card is done (as verified without a
    slot); any other decision as it is."""
    if decision.outcome is not Outcome.APPROVED or slot is None:
        return decision
    days = working_days_between(routed.routed_simtime, slot.done)
    return replace(decision, days=max(decision.days, days))
