"""The city portal's three civil-status procedures: birth, death and marriage registration.

Pure functions, no IO. The rules of docs/design.md ("Rules the services apply"): marriage
needs a man of at least 20 and a woman of at least 18 (a policy), both unmarried; a birth
creates a new person; a death is registered once (the identity checks refuse a person
already recorded dead: `domain.identity_verdict`); a marriage updates both people. Each
returns the kit's `Verdict`: an approval carries its result document's prefix and the
civil-status change it makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.events import BirthChange, DeathChange, DossierSubmitted, MarriageChange
from contracts.people import MaritalStatus, PersonFacts, PersonRole, Sex
from contracts.units import is_hanoi_unit
from services.kit.settlement import Verdict

__all__ = ["MarriagePolicy", "age_on", "decide_birth", "decide_death", "decide_marriage"]


@dataclass(frozen=True)
class MarriagePolicy:
    """Marriage age limits (a scenario may change them)."""

    min_age_male: int = 20
    min_age_female: int = 18


def age_on(birth: date, day: date) -> int:
    """Age in whole years on a day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _form_date(submission: DossierSubmitted, name: str) -> date | None:
    value = submission.form.get(name)
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def decide_birth(
    submission: DossierSubmitted, records: dict[PersonRole, PersonFacts], today: date
) -> Verdict:
    """A birth registration: the child's name, sex and past birth date; the residence
    declared (a Hanoi unit), else a parent's, else the receiving unit."""
    name = submission.form.get("child_full_name")
    sex = submission.form.get("child_sex")
    born = _form_date(submission, "child_birth_date")
    if not isinstance(name, str) or not name.strip():
        return Verdict.reject("form_invalid", "form.child_full_name is missing.")
    if sex not in {s.value for s in Sex}:
        return Verdict.reject("form_invalid", "form.child_sex must be male or female.")
    if born is None or born > today:
        return Verdict.reject("form_invalid", "form.child_birth_date must be a past ISO date.")
    mother, father = records.get(PersonRole.MOTHER), records.get(PersonRole.FATHER)
    parent = mother or father or records.get(PersonRole.APPLICANT)
    unit = submission.form.get("residence_unit")
    if not (isinstance(unit, str) and is_hanoi_unit(unit)):
        unit = parent.residence_unit if parent else submission.received_unit
    change = BirthChange(
        full_name=name.strip(),
        sex=Sex(str(sex)),
        birth_date=born,
        residence_unit=str(unit),
        father_id_number=father.id_number if father else None,
        mother_id_number=mother.id_number if mother else None,
    )
    return Verdict.approve("KS", change)


def decide_death(
    submission: DossierSubmitted, records: dict[PersonRole, PersonFacts], today: date
) -> Verdict:
    """A death registration: the deceased's identity and a plausible date of death."""
    deceased = records.get(PersonRole.DECEASED)
    if deceased is None:
        return Verdict.reject("form_invalid", "The deceased person's identity is missing.")
    died = _form_date(submission, "date_of_death") or today
    if died > today or died < deceased.birth_date:
        return Verdict.reject("form_invalid", "form.date_of_death is not a plausible date.")
    return Verdict.approve("KT", DeathChange(id_number=deceased.id_number, date_of_death=died))


def decide_marriage(
    records: dict[PersonRole, PersonFacts], today: date, policy: MarriagePolicy
) -> Verdict:
    """A marriage registration: a man and a woman, both of the policy's age, both unmarried."""
    a, b = records.get(PersonRole.APPLICANT), records.get(PersonRole.SPOUSE)
    if a is None or b is None:
        return Verdict.reject("form_invalid", "Both parties' identities are needed.")
    if a.sex == b.sex:
        return Verdict.reject(
            "not_a_man_and_a_woman", "Marriage registration needs a man and a woman."
        )
    for role, person in ((PersonRole.APPLICANT, a), (PersonRole.SPOUSE, b)):
        minimum = policy.min_age_male if person.sex == Sex.MALE else policy.min_age_female
        if age_on(person.birth_date, today) < minimum:
            return Verdict.reject(
                "under_marriage_age",
                f"The {role.value} is under the marriage age of {minimum} for a {person.sex}.",
            )
        if person.marital_status == MaritalStatus.MARRIED:
            return Verdict.reject("already_married", f"The {role.value} is already married.")
    return Verdict.approve("KH", MarriageChange(id_numbers=(a.id_number, b.id_number)))
