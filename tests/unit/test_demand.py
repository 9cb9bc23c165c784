"""Synthetic demand is deterministic: the same seed gives byte-identical dossiers."""

from __future__ import annotations

from collections import Counter

import pytest

from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.demand import DemandItem, demand_fingerprint, generate_demand, working_days
from simulator.scenarios.scenario import BUILT_IN_DIR, Scenario, load_scenario

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


def test_arrivals_fall_in_office_hours_in_order(first: list[DemandItem]) -> None:
    times = [item.simtime for item in first]
    assert times == sorted(times)
    assert all(8 <= t.hour < 17 and t.weekday() < 5 for t in times)


def test_volumes_follow_the_scenario(first: list[DemandItem]) -> None:
    counts = Counter(item.procedure_code for item in first)
    stay = BASE.demand.procedures["2.001159"].daily * 0.05
    assert abs(counts["2.001159"] - stay) <= 1


def test_client_refs_are_unique_and_name_the_scenario(first: list[DemandItem]) -> None:
    refs = [item.client_ref for item in first]
    assert len(set(refs)) == len(refs)
    assert all(ref.startswith("hanoi-day:6:") for ref in refs)


def test_foreigners_apply_online_only_for_their_procedures() -> None:
    items = demand_of(small(foreigner_share=1.0))
    foreigners = [item for item in items if item.foreigner]
    assert foreigners
    assert all(
        item.channel == "online" and not item.account_holder.id_number for item in foreigners
    )


def test_working_days_skip_weekends() -> None:
    from datetime import date

    days = working_days(date(2026, 3, 6), 3)  # a Friday
    assert [d.isoformat() for d in days] == ["2026-03-06", "2026-03-09", "2026-03-10"]
