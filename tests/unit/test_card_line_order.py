"""The ID-card line follows simulated time: the cards a clock releases go on the line in
the order they were ready, so the slots depend on the set of cards, not on the order the
portal took them nor on how the clocks split them."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contracts.worktime import HANOI_TZ
from services.national_portal.id_cards import CardSlot, HeldCard, line_slots, released

MONDAY_8 = datetime(2026, 3, 2, 8, 0, tzinfo=HANOI_TZ)
CAPACITY = 12.0


def cards_of(minutes: list[int]) -> list[HeldCard]:
    return [HeldCard(f"d{i:03}", MONDAY_8 + timedelta(minutes=m)) for i, m in enumerate(minutes)]


def slots_through(cards: list[HeldCard], clocks: list[datetime | None]) -> dict[str, CardSlot]:
    """The slots when each clock releases what it may of the cards (then the final one)."""
    held, free_at, slots = list(cards), None, {}
    for until in [*clocks, None]:
        going = released(held, until)
        for card, slot in line_slots(going, free_at, CAPACITY):
            assert slot is not None
            slots[card.dossier_id], free_at = slot, slot.done
        held = [c for c in held if c not in going]
    return slots


minutes = st.lists(st.integers(0, 60 * 24 * 10), min_size=1, max_size=40)


@given(minutes, st.randoms(use_true_random=False))
def test_the_slots_do_not_depend_on_the_order_the_cards_were_taken(
    ready: list[int], rng: random.Random
) -> None:
    cards = cards_of(ready)
    taken = list(cards)
    rng.shuffle(taken)
    assert slots_through(taken, []) == slots_through(cards, [])


@given(minutes, st.lists(st.integers(0, 60 * 24 * 12), max_size=6))
def test_the_slots_do_not_depend_on_how_the_clocks_split_the_cards(
    ready: list[int], clock_minutes: list[int]
) -> None:
    cards = cards_of(ready)
    clocks: list[datetime | None] = [MONDAY_8 + timedelta(minutes=m) for m in sorted(clock_minutes)]
    assert slots_through(cards, clocks) == slots_through(cards, [])


def test_a_clock_releases_only_the_cards_ready_before_it_earliest_first_ties_by_dossier() -> None:
    late, early, tie_first, tie_second = cards_of([90, 10, 30, 30])  # d000 .. d003
    until = MONDAY_8 + timedelta(minutes=60)
    assert released([late, tie_second, early, tie_first], until) == [early, tie_first, tie_second]
    assert released([late, early], None) == [early, late]


def test_a_line_with_no_capacity_gives_no_slot() -> None:
    [card] = cards_of([0])
    assert line_slots([card], None, 0) == [(card, None)]
