"""The city portal's rules: identity-check verdicts and its three civil-status procedures.

Pure functions, no IO. DESIGN.md 1.1: marriage needs a man of at least 20 and a woman
of at least 18, both unmarried; a deceased person cannot apply; a death is registered
once; a birth creates a new person; a marriage updates both people.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from contracts.catalogue import CivilStatusEffect, Procedure
from contracts.events import (
    BirthChange,
    CivilStatusChange,
    DeathChange,
    DossierSubmitted,
    IdentityResult,
    MarriageChange,
    Outcome,
)
from contracts.people import MaritalStatus, PersonFacts, PersonRole, Sex
from contracts.units import is_hanoi_unit

__all__ = [
    "CheckResult",
    "Decision",
    "MarriagePolicy",
    "age_on",
    "decide_city_procedure",
    "identity_verdict",
    "result_document_number",
]


@dataclass(frozen=True)
class CheckResult:
    """One answered identity check of a dossier."""

    role: PersonRole
    result: IdentityResult
    mismatched_fields: tuple[str, ...] = ()
    detail: str = ""
    record: PersonFacts | None = None


@dataclass(frozen=True)
class Decision:
    """A final decision of the city portal."""

    outcome: Outcome
    reason_code: str | None = None
    reason_text: str | None = None
    change: CivilStatusChange | None = None
    document_prefix: str = "HN"

    @classmethod
    def reject(cls, reason_code: str, reason_text: str) -> Decision:
        """A rejection with its reason."""
        return cls(Outcome.REJECTED, reason_code, reason_text)


@dataclass(frozen=True)
class MarriagePolicy:
    """Marriage age limits (a scenario may change them)."""

    min_age_male: int = 20
    min_age_female: int = 18


def age_on(birth: date, day: date) -> int:
    """Age in whole years on a day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def identity_verdict(procedure: Procedure, checks: list[CheckResult]) -> Decision | None:
    """The rejection that the identity checks force, or None when they allow going on.

    For a death registration, the deceased being already recorded dead means the
    death was registered before.
    """
    is_death = procedure.civil_status_effect == CivilStatusEffect.DEATH
    for check in sorted(checks, key=lambda c: list(PersonRole).index(c.role)):
        role = check.role.value
        if check.result == IdentityResult.MATCH:
            continue
        if (
            is_death
            and check.role == PersonRole.DECEASED
            and check.result == IdentityResult.DECEASED
        ):
            return Decision.reject(
                "death_already_registered", "The death of this person is already registered."
            )
        if check.result == IdentityResult.MISMATCH:
            fields = ", ".join(check.mismatched_fields) or "identity"
            return Decision.reject(
                "identity_mismatch",
                f"The declared {fields} of the {role} differ from the population record.",
            )
        if check.result == IdentityResult.NOT_FOUND:
            return Decision.reject(
                "identity_not_found", f"The {role}'s ID number is not in the population database."
            )
        if check.result == IdentityResult.DECEASED:
            return Decision.reject(
                "person_deceased", f"The {role} is recorded as deceased and cannot apply."
            )
        return Decision.reject("malformed_id_number", f"The {role}'s ID number is malformed.")
    return None


def _form_date(submission: DossierSubmitted, name: str) -> date | None:
    value = submission.form.get(name)
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def _decide_birth(
    submission: DossierSubmitted, records: dict[PersonRole, PersonFacts], today: date
) -> Decision:
    name = submission.form.get("child_full_name")
    sex = submission.form.get("child_sex")
    born = _form_date(submission, "child_birth_date")
    if not isinstance(name, str) or not name.strip():
        return Decision.reject("form_invalid", "form.child_full_name is missing.")
    if sex not in {s.value for s in Sex}:
        return Decision.reject("form_invalid", "form.child_sex must be male or female.")
    if born is None or born > today:
        return Decision.reject("form_invalid", "form.child_birth_date must be a past ISO date.")
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
    return Decision(Outcome.APPROVED, change=change, document_prefix="KS")


def _decide_death(
    submission: DossierSubmitted, records: dict[PersonRole, PersonFacts], today: date
) -> Decision:
    deceased = records.get(PersonRole.DECEASED)
    if deceased is None:
        return Decision.reject("form_invalid", "The deceased person's identity is missing.")
    died = _form_date(submission, "date_of_death") or today
    if died > today or died < deceased.birth_date:
        return Decision.reject("form_invalid", "form.date_of_death is not a plausible date.")
    change = DeathChange(id_number=deceased.id_number, date_of_death=died)
    return Decision(Outcome.APPROVED, change=change, document_prefix="KT")


def _decide_marriage(
    records: dict[PersonRole, PersonFacts], today: date, policy: MarriagePolicy
) -> Decision:
    a, b = records.get(PersonRole.APPLICANT), records.get(PersonRole.SPOUSE)
    if a is None or b is None:
        return Decision.reject("form_invalid", "Both parties' identities are needed.")
    if a.sex == b.sex:
        return Decision.reject(
            "not_a_man_and_a_woman", "Marriage registration needs a man and a woman."
        )
    for role, person in ((PersonRole.APPLICANT, a), (PersonRole.SPOUSE, b)):
        minimum = policy.min_age_male if person.sex == Sex.MALE else policy.min_age_female
        if age_on(person.birth_date, today) < minimum:
            return Decision.reject(
                "under_marriage_age",
                f"The {role.value} is under the marriage age of {minimum} for a {person.sex}.",
            )
        if person.marital_status == MaritalStatus.MARRIED:
            return Decision.reject("already_married", f"The {role.value} is already married.")
    change = MarriageChange(id_numbers=(a.id_number, b.id_number))
    return Decision(Outcome.APPROVED, change=change, document_prefix="KH")


def decide_city_procedure(
    procedure: Procedure,
    submission: DossierSubmitted,
    records: dict[PersonRole, PersonFacts],
    now: datetime,
    policy: MarriagePolicy,
) -> Decision:
    """The city portal's decision on a dossier whose identity checks all matched."""
    today = now.date()
    effect = procedure.civil_status_effect
    if effect == CivilStatusEffect.BIRTH:
        return _decide_birth(submission, records, today)
    if effect == CivilStatusEffect.DEATH:
        return _decide_death(submission, records, today)
    if effect == CivilStatusEffect.MARRIAGE:
        return _decide_marriage(records, today, policy)
    return Decision(Outcome.APPROVED)


def result_document_number(prefix: str, dossier_id: str, year: int) -> str:
    """A result-document number derived from the dossier id: `<PREFIX>-<YYYY>-<6 digits>`."""
    digest = hashlib.blake2b(dossier_id.encode(), digest_size=8).digest()
    return f"{prefix}-{year}-{int.from_bytes(digest, 'big') % 1_000_000:06d}"
