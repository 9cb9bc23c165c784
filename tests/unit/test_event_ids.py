"""Event ids of follow-up events: deterministic, and distinct between producers."""

from __future__ import annotations

from services.kit import derived_event_id


def test_the_same_producer_and_cause_give_the_same_id() -> None:
    assert derived_event_id("cause", 0, "city_portal") == derived_event_id(
        "cause", 0, "city_portal"
    )


def test_two_services_handling_the_same_event_give_different_ids() -> None:
    # population_db and national_portal both consume one settlement; the city portal consumes
    # what each publishes in answer, and must not take one for a duplicate of the other.
    assert derived_event_id("settled-1", 0, "population_db") != derived_event_id(
        "settled-1", 0, "national_portal"
    )


def test_follow_ups_of_one_event_get_different_ids() -> None:
    assert derived_event_id("cause", 0, "one_stop") != derived_event_id("cause", 1, "one_stop")
