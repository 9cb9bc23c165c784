"""Volumes by channel: published online counts go online, desk volumes come on top, synthetic."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.demand import generate_demand
from simulator.scenarios.scenario import BUILT_IN_DIR, ProcedureDemand, load_scenario
from simulator.scenarios.volumes import channel_rates, demand_period, expected_by_channel

STAY, RESIDENCE = "2.001159", "1.004222"
YEAR = load_scenario(BUILT_IN_DIR / "hanoi-year-residence.yaml")


def test_the_residence_year_runs_through_every_day_of_2026_and_its_250_working_days() -> None:
    period = demand_period(YEAR.start_date, YEAR.days)
    assert (period.first, period.last) == (date(2026, 1, 1), date(2026, 12, 31))
    assert len(period.calendar) == 365 and len(period.working) == 250


def test_the_residence_years_online_volumes_are_the_published_online_counts() -> None:
    expected = expected_by_channel(YEAR)
    assert expected[STAY][0] == pytest.approx(302_220)
    assert expected[RESIDENCE][0] == pytest.approx(118_880)


def test_the_residence_years_desk_volumes_come_on_top_and_are_synthetic() -> None:
    expected = expected_by_channel(YEAR)
    assert expected[STAY][1] == pytest.approx(15_906)
    assert expected[RESIDENCE][1] == pytest.approx(29_720)
    for code in (STAY, RESIDENCE):
        rates = channel_rates(YEAR.demand.procedures[code], YEAR.demand.online_share)
        assert (rates.online_source, rates.desk_source) == ("published", "synthetic")


def test_a_sampled_residence_year_generates_its_published_online_counts() -> None:
    demand = YEAR.demand.model_copy(update={"scale": 0.01})
    scenario = YEAR.model_copy(update={"demand": demand, "population_size": 5000})
    pool = ApplicantPool(5000, scenario.population_seed, scenario.start_date)
    counts = Counter((i.procedure_code, i.channel) for i in generate_demand(scenario, pool))
    assert counts[STAY, "online"] == pytest.approx(3_022, rel=0.03)
    assert counts[RESIDENCE, "online"] == pytest.approx(1_189, rel=0.05)
    assert counts[STAY, "desk"] == pytest.approx(159, abs=30)
    assert counts[RESIDENCE, "desk"] == pytest.approx(297, abs=40)


@pytest.mark.parametrize("path", sorted(BUILT_IN_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_built_in_scenario_takes_its_published_volumes_entirely_online(path: Path) -> None:
    scenario = load_scenario(path)
    for volume in scenario.demand.procedures.values():
        if volume.published:
            assert channel_rates(volume, scenario.demand.online_share).online_share == 1.0


def test_a_published_volume_is_online_unless_the_scenario_splits_it() -> None:
    published = ProcedureDemand(per_year=365, published=True)
    assert channel_rates(published, 0.6).online_per_day == pytest.approx(1.0)
    assert channel_rates(published, 0.6).desk_per_day == 0
    synthetic = ProcedureDemand(per_day=10)
    rates = channel_rates(synthetic, 0.6)
    assert (rates.online_per_day, rates.desk_per_day) == pytest.approx((6.0, 4.0))
    assert rates.online_source == "synthetic"


def test_a_desk_volume_adds_to_the_desk_part_of_the_split() -> None:
    rates = channel_rates(ProcedureDemand(per_day=10, online_share=0.5, desk_per_year=500), 0.6)
    assert (rates.online_per_day, rates.desk_per_day) == pytest.approx((5.0, 7.0))


def test_desk_backlog_samples_the_published_online_counts_and_adds_synthetic_desk_volumes() -> None:
    scenario = load_scenario(BUILT_IN_DIR / "desk-backlog.yaml")
    stay = scenario.demand.procedures[STAY]
    assert (stay.per_year, stay.published, stay.desk_per_year) == (302_220, True, 211_550)
    online, desk = expected_by_channel(scenario)[STAY]
    days = len(demand_period(scenario.start_date, scenario.days).calendar)
    assert online == pytest.approx(302_220 / 365 * days * 0.3)
    assert desk > online  # most come on paper
