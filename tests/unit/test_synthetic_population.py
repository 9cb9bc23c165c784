"""The synthetic population: deterministic, consistent ID numbers, plausible couples."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from contracts.id_numbers import id_number_consistency, parse_id_number
from contracts.people import MaritalStatus, PersonFacts, Sex
from contracts.units import COMMUNES
from synthetic_population import (
    MAX_AGE,
    REFERENCE_DATE,
    facts_from_row,
    generate_people,
    generate_rows,
)

SIZE = 3000


@pytest.fixture(scope="module")
def people() -> list[PersonFacts]:
    return list(generate_people(SIZE, 6))


def _age(person: PersonFacts) -> int:
    return REFERENCE_DATE.year - person.birth_date.year


def test_the_same_seed_gives_the_same_first_hundred_people(people: list[PersonFacts]) -> None:
    assert list(generate_people(SIZE, 6))[:100] == people[:100]


def test_another_seed_gives_other_people(people: list[PersonFacts]) -> None:
    other = list(generate_people(SIZE, 7))[:100]
    assert {p.id_number for p in other}.isdisjoint({p.id_number for p in people[:100]})


def test_the_size_is_the_number_of_people() -> None:
    assert len(list(generate_people(123, 1))) == 123
    assert list(generate_people(0, 1)) == []


def test_a_negative_size_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        generate_rows(-1, 6)


def test_id_numbers_are_unique(people: list[PersonFacts]) -> None:
    assert len({p.id_number for p in people}) == SIZE


def test_id_numbers_agree_with_sex_and_birth_year(people: list[PersonFacts]) -> None:
    assert all(id_number_consistency(p.id_number, p.sex, p.birth_date) == [] for p in people)


def test_most_people_were_born_in_hanoi_and_some_elsewhere(people: list[PersonFacts]) -> None:
    provinces = Counter(parse_id_number(p.id_number).province_code == "001" for p in people)
    assert 0.75 < provinces[True] / SIZE < 0.85


def test_ages_run_from_zero_to_ninety_five(people: list[PersonFacts]) -> None:
    ages = [_age(p) for p in people]
    assert min(ages) == 0
    assert max(ages) <= MAX_AGE
    assert all(p.birth_date <= REFERENCE_DATE for p in people)
    assert 0.15 < sum(age < 15 for age in ages) / SIZE < 0.35


def test_both_sexes_are_about_equally_common(people: list[PersonFacts]) -> None:
    assert 0.45 < sum(p.sex is Sex.MALE for p in people) / SIZE < 0.55


def test_spouses_are_linked_both_ways(people: list[PersonFacts]) -> None:
    by_id = {p.id_number: p for p in people}
    married = [p for p in people if p.marital_status is MaritalStatus.MARRIED]
    assert married
    for person in married:
        assert person.spouse_id_number is not None
        spouse = by_id[person.spouse_id_number]
        assert spouse.spouse_id_number == person.id_number
        assert spouse.marital_status is MaritalStatus.MARRIED
        assert spouse.sex is not person.sex
        assert spouse.residence_unit == person.residence_unit


def test_only_married_people_have_a_spouse(people: list[PersonFacts]) -> None:
    for person in people:
        has_spouse = person.spouse_id_number is not None
        assert has_spouse == (person.marital_status is MaritalStatus.MARRIED)


def test_married_men_are_at_least_20_and_married_women_at_least_18(
    people: list[PersonFacts],
) -> None:
    for person in people:
        if person.marital_status is not MaritalStatus.SINGLE:
            assert _age(person) >= (20 if person.sex is Sex.MALE else 18)


def test_most_adults_are_married_and_every_status_occurs(people: list[PersonFacts]) -> None:
    adults = [p for p in people if _age(p) >= 20]
    statuses = Counter(p.marital_status for p in adults)
    assert set(statuses) == set(MaritalStatus)
    assert 0.5 < statuses[MaritalStatus.MARRIED] / len(adults) < 0.85


def test_a_small_share_is_deceased_and_never_married(people: list[PersonFacts]) -> None:
    deceased = [p for p in people if not p.alive]
    assert 0 < len(deceased) < 0.02 * SIZE
    assert all(p.marital_status is not MaritalStatus.MARRIED for p in deceased)


def test_everyone_lives_in_a_hanoi_commune(people: list[PersonFacts]) -> None:
    communes = {c.code for c in COMMUNES}
    assert all(p.residence_unit in communes for p in people)


def test_names_are_vietnamese_family_middle_given(people: list[PersonFacts]) -> None:
    parts = [p.full_name.split() for p in people]
    assert all(len(words) >= 3 for words in parts)
    families = Counter(words[0] for words in parts)
    assert families.most_common(1)[0][0] == "Nguyễn"
    women_middles = Counter(p.full_name.split()[1] for p in people if p.sex is Sex.FEMALE)
    assert women_middles.most_common(1)[0][0] == "Thị"


def test_a_row_converts_to_person_facts() -> None:
    row = ("001087012345", "Nguyễn Văn An", "1987-05-04", "male", 0, "widowed", None, "00101")
    facts = facts_from_row(row)
    assert facts.birth_date == date(1987, 5, 4)
    assert facts.alive is False
    assert facts.marital_status is MaritalStatus.WIDOWED
