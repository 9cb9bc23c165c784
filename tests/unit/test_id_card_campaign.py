"""The chip ID-card campaign: Public Security's card line and its capacity, mobile teams."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from contracts.catalogue import load_catalogue
from contracts.events import DossierRouted, Outcome
from contracts.worktime import HANOI_TZ, add_working_days, working_days_between
from services.national_portal.id_cards import (
    HeldCard,
    card_slot,
    line_slots,
    ready_at,
    settled_decision,
)
from services.national_portal.ministries.base import Decision
from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.campaign import ID_CARD_CODE
from simulator.scenarios.demand import DemandItem, generate_demand
from simulator.scenarios.scenario import BUILT_IN_DIR, Scenario, load_scenario
from tests.factories import SIMTIME, submission

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=HANOI_TZ)
ID_CARD = load_catalogue().by_number(2)
#: Working days Public Security takes to verify an application before the card line.
VERIFY_DAYS = 5.0
SCALE = 0.0002  # 1,300 applications a year


def campaign(scale: float = SCALE) -> Scenario:
    base = load_scenario(BUILT_IN_DIR / "hanoi-cccd-campaign.yaml")
    demand = base.demand.model_copy(update={"scale": scale})
    return base.model_copy(update={"demand": demand, "population_size": 5000})


@pytest.fixture(scope="module")
def applications() -> list[DemandItem]:
    scenario = campaign()
    pool = ApplicantPool(scenario.population_size, scenario.population_seed, scenario.start_date)
    return generate_demand(scenario, pool)


def routed_application() -> DossierRouted:
    sub = submission(procedure_code=ID_CARD.code)
    return DossierRouted(
        dossier_id=sub.dossier_id,
        route_to=ID_CARD.settled_by,
        submission=sub,
        routed_simtime=SIMTIME,
    )


def returned_in_year(items: list[DemandItem], capacity_per_day: float) -> float:
    """Share of the applications whose card the line finishes within 2026."""
    end = datetime.combine(date(2026, 12, 31), time.max, HANOI_TZ)
    free_at, returned = None, 0
    for item in items:
        slot = card_slot(add_working_days(item.simtime, VERIFY_DAYS), free_at, capacity_per_day)
        free_at = slot.done
        returned += slot.done <= end
    return returned / len(items)


def test_an_idle_line_starts_a_card_when_it_is_ready_and_takes_one_capacity_th_of_a_day() -> None:
    slot = card_slot(MONDAY_9, None, 9.0)
    assert slot.start == MONDAY_9
    assert working_days_between(slot.start, slot.done) == pytest.approx(1 / 9)


def test_a_busy_line_starts_a_card_when_it_has_finished_the_cards_ahead() -> None:
    busy_until = add_working_days(MONDAY_9, 3)
    slot = card_slot(MONDAY_9, busy_until, 24.0)
    assert slot.start == busy_until
    assert slot.done == add_working_days(busy_until, 1 / 24)


def test_a_line_without_capacity_is_refused() -> None:
    with pytest.raises(ValueError, match="capacity"):
        card_slot(MONDAY_9, None, 0)


def test_an_approved_card_settles_when_the_line_has_made_it() -> None:
    routed = routed_application()
    busy_until = add_working_days(SIMTIME, 20)
    verified = Decision(Outcome.APPROVED, 4.0)
    card = HeldCard(routed.dossier_id, ready_at(verified, routed))
    [(_, slot)] = line_slots([card], busy_until, 10.0)
    decision = settled_decision(verified, routed, slot)
    assert slot is not None and slot.start == busy_until
    settled_at = add_working_days(routed.routed_simtime, decision.days)
    assert abs((settled_at - slot.done).total_seconds()) < 60


def test_a_rejected_application_never_takes_the_line() -> None:
    routed = routed_application()
    rejected = Decision(Outcome.REJECTED, 0.5, "incomplete_documents", "incomplete")
    card = HeldCard(routed.dossier_id, SIMTIME)
    [(_, slot)] = line_slots([card], None, 10.0)
    assert settled_decision(rejected, routed, slot) == rejected


def test_the_campaign_takes_6_5_million_applications_a_year_at_its_scale(
    applications: list[DemandItem],
) -> None:
    assert len(applications) == pytest.approx(6_500_000 * SCALE, rel=0.01)
    assert {i.procedure_code for i in applications} == {ID_CARD_CODE}
    assert {i.channel for i in applications} == {"desk"}


def test_mobile_teams_take_about_the_assumed_share_at_the_applicants_communes(
    applications: list[DemandItem],
) -> None:
    mobile = [i for i in applications if i.extra.get("taken_by") == "mobile_team"]
    assert 0.26 < len(mobile) / len(applications) < 0.34  # 30% assumed
    assert all(len(i.unit_code) > 3 for i in mobile)  # a commune, not a district
    assert all(len(i.unit_code) == 3 for i in applications if i not in mobile)


@pytest.mark.parametrize(
    ("capacity", "low", "high"),
    [(24_000, 0.89, 0.93), (26_000, 0.95, 1.0), (12_000, 0.44, 0.48)],
    ids=["seed-pace", "as-many-as-applied", "half"],
)
def test_the_share_of_cards_returned_in_the_year_tracks_the_lines_capacity(
    applications: list[DemandItem], capacity: float, low: float, high: float
) -> None:
    # Hanoi 2022: 6.0 of 6.5 million returned (92.3%) at 24,000 cards a working day.
    assert low < returned_in_year(applications, capacity * SCALE) < high
