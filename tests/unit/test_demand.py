"""Synthetic demand is deterministic: the same seed gives byte-identical dossiers.

Online submissions come at any hour of any day, desk dossiers in office hours of working days.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from contracts.worktime import is_office_hours, is_working_day
from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.demand import DemandItem, demand_fingerprint, generate_demand, working_days
from simulator.scenarios.scenario import BUILT_IN_DIR, Scenario, load_scenario
from simulator.scenarios.volumes import expected_by_channel

BASE = load_scenario(BUILT_IN_DIR / "hanoi-day.yaml")


def small(**changes: object) -> Scenario:
    demand = BASE.demand.model_copy(update={"scale": 0.05})
    return BASE.model_copy(update={"population_size": 5000, "demand": demand, **changes})


def demand_of(scenario: Scenario) -> list[DemandItem]:
    pool = ApplicantPool(scenario.population_size, scenario.population_seed, scenario.start_date)
    return generate_demand(scenario, pool)


@pytest.fixture(scope="module")
def first() -> list[DemandItem]:
    return demand_of(small())


def test_the_same_seed_gives_byte_identical_demand(first: list[DemandItem]) -> None:
    assert demand_fingerprint(demand_of(small())) == demand_fingerprint(first)


def test_a_different_seed_gives_different_demand(first: list[DemandItem]) -> None:
    assert demand_fingerprint(demand_of(small(seed=7))) != demand_fingerprint(first)


def test_arrivals_come_in_order_of_simulated_time(first: list[DemandItem]) -> None:
    times = [item.simtime for item in first]
    assert times == sorted(times)


def test_online_arrivals_outside_office_hours_exist_and_desk_arrivals_do_not(
    first: list[DemandItem],
) -> None:
    online = [item.simtime for item in first if item.channel == "online"]
    desk = [item.simtime for item in first if item.channel == "desk"]
    outside = [t for t in online if not is_office_hours(t)]
    assert online and desk
    assert 0.3 < len(outside) / len(online) < 0.6  # the daily shape puts ~44% outside
    assert {t.hour for t in outside} & {20, 21, 22}  # the evening after work
    assert all(is_office_hours(t) for t in desk)


def test_online_arrivals_come_on_weekends_and_holidays_and_desk_arrivals_do_not() -> None:
    """Three working days from the Thursday before Tết 2026: Thu, Fri, then Mon 23 Feb."""
    items = demand_of(small(start_date=date(2026, 2, 12), days=3))
    online_days = {i.simtime.date() for i in items if i.channel == "online"}
    desk_days = {i.simtime.date() for i in items if i.channel == "desk"}
    assert online_days == {date(2026, 2, d) for d in range(12, 24)}  # every day, Tết too
    assert desk_days == {date(2026, 2, 12), date(2026, 2, 13), date(2026, 2, 23)}
    assert all(is_working_day(day) for day in desk_days)


def test_volumes_follow_the_scenario_channel_by_channel(first: list[DemandItem]) -> None:
    counts = Counter((item.procedure_code, item.channel) for item in first)
    online, desk = expected_by_channel(small())["2.001159"]  # stay notification
    assert abs(counts["2.001159", "online"] - online) <= 1
    assert abs(counts["2.001159", "desk"] - desk) <= 1


def test_client_refs_are_unique_and_name_the_scenario(first: list[DemandItem]) -> None:
    refs = [item.client_ref for item in first]
    assert len(set(refs)) == len(refs)
    assert all(ref.startswith("hanoi-day:6:") for ref in refs)


def test_a_variant_hands_in_the_same_demand_under_client_refs_of_its_own(
    first: list[DemandItem],
) -> None:
    scenario = small()
    pool = ApplicantPool(scenario.population_size, scenario.population_seed, scenario.start_date)
    variant = generate_demand(scenario, pool, variant="help")
    assert [i.client_ref for i in variant] == [f"hanoi-day:6:help:{i.index}" for i in first]
    assert [replace(i, client_ref="") for i in variant] == [
        replace(i, client_ref="") for i in first
    ]


def test_foreigners_apply_online_only_for_their_procedures() -> None:
    items = demand_of(small(foreigner_share=1.0))
    foreigners = [item for item in items if item.foreigner]
    assert foreigners
    assert all(
        item.channel == "online" and not item.account_holder.id_number for item in foreigners
    )


def test_working_days_skip_weekends() -> None:
    days = working_days(date(2026, 3, 6), 3)  # a Friday
    assert [d.isoformat() for d in days] == ["2026-03-06", "2026-03-09", "2026-03-10"]


def test_working_days_skip_public_holidays() -> None:
    days = working_days(date(2026, 2, 12), 3)  # Tết: off 14-22 February
    assert [d.isoformat() for d in days] == ["2026-02-12", "2026-02-13", "2026-02-23"]
