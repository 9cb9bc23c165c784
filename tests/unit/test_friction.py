"""Friction online: applicants abandon at registration or at a complex form; help cuts it."""

from __future__ import annotations

from typing import Any, cast

import pytest

from contracts.worktime import is_office_hours
from simulator.drive.ingress import Ingress
from simulator.drive.observations import Observations
from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.demand import DemandItem, demand_fingerprint, generate_demand
from simulator.scenarios.friction import Friction, abandon_rates
from simulator.scenarios.scenario import BUILT_IN_DIR, Policies, Scenario, load_scenario

FRICTION = Friction(
    registration_abandon_rate=0.25, complex_form_abandon_rate=0.15, to_desk_share=0.7
)
TEAMS = Policies(digital_teams_per_commune=10.12)  # 5,859 teams and groups / 579 communes
VNEID = Policies(simple_sign_in=True)
BOTH = Policies(digital_teams_per_commune=10.12, simple_sign_in=True)


def small(friction: Friction = FRICTION) -> Scenario:
    base = load_scenario(BUILT_IN_DIR / "hanoi-day.yaml")
    demand = base.demand.model_copy(update={"scale": 0.1})
    return base.model_copy(update={"population_size": 5000, "demand": demand, "friction": friction})


def demand_of(scenario: Scenario, policies: Policies | None = None) -> list[DemandItem]:
    pool = ApplicantPool(scenario.population_size, scenario.population_seed, scenario.start_date)
    return generate_demand(scenario, pool, policies)


def online_share(items: list[DemandItem]) -> float:
    handed_in = [i for i in items if not i.gave_up]
    return sum(i.channel == "online" for i in handed_in) / len(handed_in)


@pytest.fixture(scope="module")
def without_help() -> list[DemandItem]:
    return demand_of(small())


def test_without_friction_the_demand_is_the_same_whatever_the_help() -> None:
    plain = small(Friction())
    assert demand_fingerprint(demand_of(plain)) == demand_fingerprint(demand_of(plain, BOTH))


def test_friction_lowers_the_online_share_by_about_15_points_on_a_small_seeded_run(
    without_help: list[DemandItem],
) -> None:
    intended = sum(i.intended_channel == "online" for i in without_help) / len(without_help)
    after = online_share(without_help)
    assert intended == pytest.approx(online_share(demand_of(small(Friction()))))
    assert 0.10 < intended - after < 0.22  # seed 6: 71.5% -> 56.6%
    abandoned = [i for i in without_help if i.abandoned]
    set_out = sum(i.intended_channel == "online" for i in without_help)
    assert 0.2 < len(abandoned) / set_out < 0.35  # 25% at registration, some at a form


def test_who_abandons_goes_to_a_desk_in_office_hours_or_gives_up(
    without_help: list[DemandItem],
) -> None:
    to_desk = [i for i in without_help if i.abandoned and not i.gave_up]
    gave_up = [i for i in without_help if i.gave_up]
    assert {i.abandoned for i in to_desk} == {"registration:desk", "complex_form:desk"}
    assert {i.abandoned for i in gave_up} == {"registration:gave_up", "complex_form:gave_up"}
    assert 0.6 < len(to_desk) / (len(to_desk) + len(gave_up)) < 0.8
    assert all(i.channel == "desk" and is_office_hours(i.simtime) for i in to_desk)
    assert all(i.unit_code == i.extra["desk_unit"] for i in to_desk)
    assert not any(i.foreigner for i in to_desk + gave_up)


def test_the_demand_after_friction_keeps_its_order_and_its_client_refs(
    without_help: list[DemandItem],
) -> None:
    times = [i.simtime for i in without_help]
    assert times == sorted(times)
    refs = [i.client_ref for i in without_help]
    assert sorted(refs) == sorted(i.client_ref for i in demand_of(small(Friction())))


@pytest.mark.parametrize("policies", [TEAMS, VNEID, BOTH], ids=["teams", "vneid", "both"])
def test_help_wins_back_online_applicants_and_only_those_who_abandoned(
    without_help: list[DemandItem], policies: Policies
) -> None:
    helped = demand_of(small(), policies)
    before = {i.client_ref for i in without_help if i.abandoned}
    after = {i.client_ref for i in helped if i.abandoned}
    assert after < before
    assert online_share(helped) > online_share(without_help)


def test_both_kinds_of_help_together_do_best(without_help: list[DemandItem]) -> None:
    shares = [online_share(demand_of(small(), p)) for p in (TEAMS, VNEID, BOTH)]
    assert shares[2] > max(shares[:2])


def test_the_reviews_teams_per_commune_about_halve_abandonment_and_vneid_cuts_registration() -> (
    None
):
    teams = abandon_rates(FRICTION, 10.12, False)
    assert teams.registration == pytest.approx(0.25 / 2, rel=0.02)
    assert teams.complex_form == pytest.approx(0.15 / 2, rel=0.02)
    vneid = abandon_rates(FRICTION, 0, True)
    assert (vneid.registration, vneid.complex_form) == pytest.approx((0.05, 0.15))


async def test_the_driver_counts_who_abandoned_and_hands_in_nothing_for_who_gave_up(
    without_help: list[DemandItem],
) -> None:
    observations = Observations()
    ingress = Ingress(cast(Any, None), observations, concurrency=1)
    gave_up = [i for i in without_help if i.gave_up][:3]
    for item in gave_up:
        await ingress.submit(item)
    assert observations.intended == {"online": 3}
    assert sum(observations.abandoned.values()) == 3
    assert not observations.accepted and ingress.handed_in == 3
