"""The civil-status change an approved dossier asks the population database to apply.

Permanent residence (procedure 3) is the one the national portal settles by default; the
other kinds are built too so that a scenario may route birth, death or marriage
registration here. A form that cannot give a valid change raises :class:`FormInvalidError`.
"""

from __future__ import annotations

from datetime import date

from contracts.catalogue import CivilStatusEffect, Procedure
from contracts.events import (
    BirthChange,
    CivilStatusChange,
    DeathChange,
    DossierSubmitted,
    MarriageChange,
    ResidenceChange,
)
from contracts.people import DeclaredPerson, PersonRole, Sex
from contracts.units import is_hanoi_unit

__all__ = [
    "FormInvalidError",
    "civil_status_change",
    "form_problem",
    "person_with_role",
    "resident",
]


class FormInvalidError(ValueError):
    """The dossier's form or persons cannot give the civil-status change it asks for."""


def person_with_role(submission: DossierSubmitted, role: PersonRole) -> DeclaredPerson | None:
    """The first declared person with this role, if any."""
    return next((p for p in submission.persons if p.role is role), None)


def resident(submission: DossierSubmitted) -> DeclaredPerson:
    """Who a permanent-residence registration moves: the child of a linked step, else the
    applicant (the first person when none is marked applicant)."""
    return (
        person_with_role(submission, PersonRole.CHILD)
        or person_with_role(submission, PersonRole.APPLICANT)
        or submission.persons[0]
    )


def _unit(submission: DossierSubmitted, key: str) -> str:
    value = submission.form.get(key)
    if not isinstance(value, str) or not is_hanoi_unit(value):
        raise FormInvalidError(f"form.{key} must be the code of a Hanoi unit, got {value!r}")
    return value


def _date(submission: DossierSubmitted, key: str) -> date:
    value = submission.form.get(key)
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FormInvalidError(f"form.{key} must be an ISO date, got {value!r}") from None


def _id_of(submission: DossierSubmitted, role: PersonRole) -> str:
    person = person_with_role(submission, role)
    if person is None or not person.id_number:
        raise FormInvalidError(f"the {role.value} must be declared with an ID number")
    return person.id_number


def _birth(submission: DossierSubmitted) -> BirthChange:
    name, sex = submission.form.get("child_full_name"), submission.form.get("child_sex")
    if not isinstance(name, str) or not name.strip():
        raise FormInvalidError("form.child_full_name is missing")
    if sex not in {s.value for s in Sex}:
        raise FormInvalidError("form.child_sex must be male or female")
    father = person_with_role(submission, PersonRole.FATHER)
    mother = person_with_role(submission, PersonRole.MOTHER)
    return BirthChange(
        full_name=name.strip(),
        sex=Sex(str(sex)),
        birth_date=_date(submission, "child_birth_date"),
        residence_unit=_unit(submission, "residence_unit"),
        father_id_number=father.id_number if father else None,
        mother_id_number=mother.id_number if mother else None,
    )


def civil_status_change(
    submission: DossierSubmitted, procedure: Procedure
) -> CivilStatusChange | None:
    """The change an approval of this dossier makes; None for procedures without one.

    Raises :class:`FormInvalidError` naming the field that is missing or wrong.
    """
    effect = procedure.civil_status_effect
    if effect is CivilStatusEffect.PERMANENT_RESIDENCE:
        person = resident(submission)
        if not person.id_number:
            raise FormInvalidError(f"the {person.role.value} who moves has no ID number")
        unit = _unit(submission, "new_residence_unit")
        return ResidenceChange(id_number=person.id_number, new_residence_unit=unit)
    if effect is CivilStatusEffect.BIRTH:
        return _birth(submission)
    if effect is CivilStatusEffect.DEATH:
        return DeathChange(
            id_number=_id_of(submission, PersonRole.DECEASED),
            date_of_death=_date(submission, "date_of_death"),
        )
    if effect is CivilStatusEffect.MARRIAGE:
        ids = (_id_of(submission, PersonRole.APPLICANT), _id_of(submission, PersonRole.SPOUSE))
        return MarriageChange(id_numbers=ids)
    return None


def form_problem(submission: DossierSubmitted, procedure: Procedure) -> str | None:
    """Why the form cannot give its civil-status change, or None when it can (or has none)."""
    try:
        civil_status_change(submission, procedure)
    except FormInvalidError as exc:
        return str(exc)
    return None
