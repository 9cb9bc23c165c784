"""Who applies for what: picking people of the synthetic population for each procedure.

The population is regenerated from its size and seed with the population database's own
pure generator (`synthetic_population`), so the simulator picks applicants
that exist without reading the service's database. People with a one-time effect
(marriage, death) are used once, and the people whose death is registered appear in no
other dossier, so outcomes do not depend on the order the services handle dossiers in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from contracts.catalogue import CivilStatusEffect, Procedure
from contracts.people import DeclaredPerson, MaritalStatus, PersonFacts, PersonRole, Sex
from contracts.units import COMMUNES
from synthetic_population import generate_people

__all__ = ["ApplicantPool", "DossierDraft", "declared"]


def declared(person: PersonFacts, role: PersonRole) -> DeclaredPerson:
    """A person as they would declare themselves (exactly as recorded)."""
    return DeclaredPerson(
        role=role,
        id_number=person.id_number,
        full_name=person.full_name,
        birth_date=person.birth_date,
        sex=person.sex,
    )


@dataclass(frozen=True)
class DossierDraft:
    """What a citizen fills in for one procedure."""

    persons: list[DeclaredPerson]
    form: dict[str, Any]

    @property
    def applicant(self) -> DeclaredPerson:
        """The applicant (first person)."""
        return self.persons[0]


def _destined_to_die(person: PersonFacts) -> bool:
    """One adult in 10, set apart to be the deceased of death registrations and nothing else.

    Were the deceased also an applicant, parent or spouse elsewhere, that dossier's outcome
    would depend on which of the two the services handled first: runs would not repeat.
    """
    return int(person.id_number[-3:]) % 10 == 7


def _age(person: PersonFacts, today: date) -> int:
    born = person.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@dataclass
class ApplicantPool:
    """People of the synthetic population sorted by what they can apply for."""

    size: int
    seed: int
    today: date
    rng: random.Random = field(default_factory=random.Random)
    adults: list[PersonFacts] = field(default_factory=list)
    single_men: list[PersonFacts] = field(default_factory=list)
    single_women: list[PersonFacts] = field(default_factory=list)
    couples: list[tuple[PersonFacts, PersonFacts]] = field(default_factory=list)
    deceased: list[PersonFacts] = field(default_factory=list)
    mortal: list[PersonFacts] = field(default_factory=list)
    by_id: dict[str, PersonFacts] = field(default_factory=dict)
    _used: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"applicants:{self.seed}")
        people = self.by_id = {p.id_number: p for p in generate_people(self.size, self.seed)}
        for person in people.values():
            if not person.alive:
                self.deceased.append(person)
                continue
            age = _age(person, self.today)
            if age >= 18 and _destined_to_die(person):
                self.mortal.append(person)
                continue
            if age >= 18:
                self.adults.append(person)
            if person.marital_status != MaritalStatus.MARRIED:
                if person.sex == Sex.MALE and age >= 20:
                    self.single_men.append(person)
                elif person.sex == Sex.FEMALE and age >= 18:
                    self.single_women.append(person)
            elif person.sex == Sex.MALE and person.spouse_id_number in people:
                wife = people[person.spouse_id_number]
                fertile = 20 <= _age(wife, self.today) <= 45
                if wife.alive and fertile and not _destined_to_die(wife):
                    self.couples.append((person, wife))

    def _take(self, candidates: list[PersonFacts]) -> PersonFacts:
        """Someone not used before, from a random starting point (deterministic)."""
        if candidates:
            start = self.rng.randrange(len(candidates))
            for offset in range(len(candidates)):
                person = candidates[(start + offset) % len(candidates)]
                if person.id_number not in self._used:
                    self._used.add(person.id_number)
                    return person
        raise RuntimeError(
            f"the synthetic population ({self.size:,} people) is too small for this demand: "
            "raise population_size"
        )

    def reset(self, key: str) -> None:
        """Start picking afresh, deterministically from `key`."""
        self.rng.seed(key)
        self._used.clear()

    def residence_of(self, person: DeclaredPerson) -> str:
        """The commune code where a declared person lives (a random one if unknown)."""
        record = self.by_id.get(person.id_number or "")
        return record.residence_unit if record else self.rng.choice(COMMUNES).code

    def adult(self) -> PersonFacts:
        """Any living adult (may apply many times)."""
        return self.rng.choice(self.adults)

    def dead_person(self) -> PersonFacts:
        """Someone recorded as deceased (an applicant who must be refused)."""
        return self.rng.choice(self.deceased)

    def draft(self, procedure: Procedure) -> DossierDraft:
        """A correctly filled dossier for `procedure`."""
        effect = procedure.civil_status_effect
        if effect == CivilStatusEffect.MARRIAGE:
            man, woman = self._take(self.single_men), self._take(self.single_women)
            return DossierDraft(
                [declared(man, PersonRole.APPLICANT), declared(woman, PersonRole.SPOUSE)], {}
            )
        roles = set(procedure.persons)
        if effect == CivilStatusEffect.BIRTH or PersonRole.FATHER in roles:
            father, mother = self.rng.choice(self.couples)
            persons = [
                declared(mother, PersonRole.APPLICANT),
                declared(father, PersonRole.FATHER),
                declared(mother, PersonRole.MOTHER),
            ]
            return DossierDraft(persons, self._birth_form(father, mother))
        if effect == CivilStatusEffect.DEATH or PersonRole.DECEASED in roles:
            relative = self.adult()
            dead = self._take(self.mortal)
            died = self.today - timedelta(days=self.rng.randint(1, 20))
            persons = [
                declared(relative, PersonRole.APPLICANT),
                declared(dead, PersonRole.DECEASED),
            ]
            return DossierDraft(persons, {"date_of_death": died.isoformat()})
        applicant = self._applicant_for(procedure)
        form: dict[str, Any] = {}
        if effect == CivilStatusEffect.PERMANENT_RESIDENCE:
            form["new_residence_unit"] = self.rng.choice(COMMUNES).code
        return DossierDraft([declared(applicant, PersonRole.APPLICANT)], form)

    def _applicant_for(self, procedure: Procedure) -> PersonFacts:
        minimum = procedure.min_applicant_age or 18
        for _ in range(100):
            person = self.adult()
            if _age(person, self.today) >= minimum:
                return person
        raise RuntimeError(f"no applicant old enough for {procedure.code}")

    def _birth_form(self, father: PersonFacts, mother: PersonFacts) -> dict[str, Any]:
        sex = self.rng.choice([Sex.MALE, Sex.FEMALE])
        family = father.full_name.split()[0]
        given = "Minh An" if sex == Sex.MALE else "Thu Hà"
        born = self.today - timedelta(days=self.rng.randint(1, 30))
        return {
            "child_full_name": f"{family} {given}",
            "child_sex": sex.value,
            "child_birth_date": born.isoformat(),
            "residence_unit": mother.residence_unit,
        }
