"""Dirty population records fail identity checks until a cleaning campaign reaches them."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from contracts.events import (
    IdentityCheckCompleted,
    IdentityCheckRequested,
    IdentityResult,
    RequesterKind,
)
from contracts.people import PersonFacts
from contracts.worktime import HANOI_TZ
from services.population_db.domain.dirty_checks import checked_against_records
from services.population_db.domain.records import (
    CleaningPlan,
    DirtyShares,
    cleaning_plan,
    dirty_category,
)
from simulator.report.records import failure_category
from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.demand import DemandItem, generate_demand
from simulator.scenarios.scenario import BUILT_IN_DIR, Scenario, load_scenario
from synthetic_population import facts_from_row, iter_rows
from tests.factories import applicant

AS_OF = date(2026, 3, 2)
START = datetime(2026, 3, 2, 8, 0, tzinfo=HANOI_TZ)
ALL_DIRTY = DirtyShares(children=1.0, merit=1.0, moved=1.0)
SIZE = 5000


def small() -> Scenario:
    base = load_scenario(BUILT_IN_DIR / "records-cleaning.yaml")
    demand = base.demand.model_copy(update={"scale": 0.02})
    return base.model_copy(update={"population_size": SIZE, "demand": demand})


@pytest.fixture(scope="module")
def people() -> list[PersonFacts]:
    return [facts_from_row(row) for row in iter_rows(SIZE, small().population_seed)]


@pytest.fixture(scope="module")
def demand() -> list[DemandItem]:
    scenario = small()
    pool = ApplicantPool(scenario.population_size, scenario.population_seed, scenario.start_date)
    return generate_demand(scenario, pool)


def plan_of(people: list[PersonFacts], per_day: float) -> CleaningPlan:
    records = small().population_records
    shares = DirtyShares(
        records.dirty_children_share, records.dirty_merit_share, records.dirty_moved_share
    )
    return cleaning_plan(
        ((p.id_number, p.birth_date) for p in people), shares, AS_OF, START, per_day
    )


def failures_per_week(demand: list[DemandItem], plan: CleaningPlan) -> dict[int, Counter[str]]:
    """Declared persons whose check fails on a dirty record, per week of the run."""
    weeks: dict[int, Counter[str]] = {}
    for item in demand:
        week = (item.simtime.astimezone(HANOI_TZ).date() - AS_OF).days // 7
        found = weeks.setdefault(week, Counter())
        for person in item.draft.persons:
            if person.id_number and (category := plan.problem(person.id_number, item.simtime)):
                found[category] += 1
    return weeks


def test_a_child_can_only_be_dirty_as_a_child_and_an_adult_never_as_one() -> None:
    assert dirty_category("001226000001", date(2020, 1, 1), AS_OF, ALL_DIRTY) == "children"
    assert dirty_category("001090000001", date(1990, 1, 1), AS_OF, ALL_DIRTY) == "moved"
    assert dirty_category("001050000001", date(1950, 1, 1), AS_OF, ALL_DIRTY) == "merit"


def test_without_dirty_shares_no_record_is_dirty(people: list[PersonFacts]) -> None:
    plan = cleaning_plan(
        ((p.id_number, p.birth_date) for p in people), DirtyShares(), AS_OF, START, 0
    )
    assert plan.dirty == {}


def test_the_assumed_shares_make_about_that_many_records_dirty_by_category(
    people: list[PersonFacts],
) -> None:
    counts = plan_of(people, 0).counts()
    children = sum(p.birth_date > date(2012, 3, 2) for p in people)
    assert counts["children"] == pytest.approx(0.05 * children, rel=0.3)
    assert counts["moved"] == pytest.approx(0.02 * (SIZE - children), rel=0.3)
    assert counts["merit"] > 0


def test_a_record_fails_until_its_turn_and_passes_after_it() -> None:
    plan = CleaningPlan({"001090000001": ("moved", 9)}, START, per_day=10)
    cleaned = plan.cleaned_at(9)
    assert cleaned is not None
    assert plan.problem("001090000001", cleaned - timedelta(minutes=1)) == "moved"
    assert plan.problem("001090000001", cleaned) is None
    assert plan.problem("001090000002", START) is None


def test_without_a_campaign_a_dirty_record_stays_dirty() -> None:
    plan = CleaningPlan({"001090000001": ("moved", 0)}, START, per_day=0)
    assert plan.problem("001090000001", START + timedelta(days=3650)) == "moved"


def _check(record: PersonFacts, dirty: str | None, **declared: object) -> IdentityCheckCompleted:
    facts = {
        "id_number": record.id_number,
        "full_name": record.full_name,
        "birth_date": record.birth_date,
        "sex": record.sex,
    }
    person = applicant(**{**facts, **declared})
    request = IdentityCheckRequested(
        check_id="c1",
        requester_kind=RequesterKind.DOSSIER,
        requester_id="d1",
        id_number=record.id_number,
        person=person,
    )
    payload = checked_against_records(request, record, dirty).payload
    assert isinstance(payload, IdentityCheckCompleted)
    return payload


def test_a_right_declaration_against_a_dirty_record_fails_naming_its_category(
    people: list[PersonFacts],
) -> None:
    answer = _check(people[0], "children")
    assert answer.result is IdentityResult.MISMATCH
    assert answer.mismatched_fields == ["record_children"]
    assert failure_category(answer.detail) == "children"
    assert _check(people[0], None).result is IdentityResult.MATCH


def test_a_wrong_declaration_fails_as_the_applicants_error_even_on_a_dirty_record(
    people: list[PersonFacts],
) -> None:
    answer = _check(people[0], "merit", full_name="Someone Else")
    assert answer.mismatched_fields == ["full_name"]
    assert failure_category(f"The declared {answer.mismatched_fields[0]}") == "declaration"


def test_cleaning_250_records_a_day_removes_the_failures_within_a_few_weeks_on_a_small_run(
    people: list[PersonFacts], demand: list[DemandItem]
) -> None:
    without = failures_per_week(demand, plan_of(people, 0))
    # 5,000 people: about 180 dirty records; 12 a day cleans them in three weeks
    with_campaign = failures_per_week(demand, plan_of(people, 12))
    total_without = sum(c.total() for c in without.values())
    total_with = sum(c.total() for c in with_campaign.values())
    assert total_without > 40
    assert total_with < 0.6 * total_without
    last = max(without)
    assert with_campaign[last].total() == 0 < without[last].total()
    assert set().union(*without.values()) >= {"moved", "merit"}
