"""What every portal adapter shares: a decision on a routed dossier, drawn from its id.

An adapter (a ministry portal, the power utility, or the national portal itself) decides
a dossier in three steps: refusals (the catalogue's minimum age, the civil-status form,
then the adapter's own rules), then a small deterministic share rejected as incomplete
(hồ sơ chưa đầy đủ), then the simulated processing time in working days. Every draw is
a hash of the dossier id and a purpose, so a rerun gives the same answer.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import date, datetime

from contracts.catalogue import Portal, Procedure
from contracts.events import DossierRouted, Outcome
from contracts.people import PersonRole
from contracts.worktime import (
    HANOI_TZ,
    OFFICE_CLOSE,
    next_office_moment,
    working_days_between,
)
from services.national_portal.civil_status import form_problem, person_with_role

__all__ = [
    "INCOMPLETE_DOCUMENTS",
    "Adapter",
    "DayRange",
    "Decision",
    "Refusal",
    "age_on",
    "birth_date_of",
    "draw",
    "elapsed_days",
    "floor_days",
    "same_day_days",
]

DayRange = tuple[float, float]


@dataclass(frozen=True)
class Decision:
    """An adapter's decision: the outcome and how many working days it took from routing."""

    outcome: Outcome
    days: float
    reason_code: str | None = None
    reason_text: str | None = None
    result_document_prefix: str | None = None


@dataclass(frozen=True)
class Refusal:
    """Why a dossier is rejected: a machine code and a sentence."""

    code: str
    text: str


INCOMPLETE_DOCUMENTS = Refusal(
    "incomplete_documents", "Hồ sơ chưa đầy đủ: the dossier's documents are incomplete."
)


def draw(dossier_id: str, purpose: str) -> float:
    """A number in [0, 1) fixed by the dossier id and the purpose of the draw."""
    digest = hashlib.blake2b(f"{dossier_id}:{purpose}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def floor_days(days: float) -> float:
    """Days rounded down to a thousandth (about half a minute of office time), never < 0."""
    return max(0.0, math.floor(days * 1000) / 1000)


def age_on(birth: date, day: date) -> int:
    """Age in whole years on a day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birth_date_of(routed: DossierRouted, role: PersonRole) -> date | None:
    """Birth date of the person with this role: the population record's, else the declared."""
    person = person_with_role(routed.submission, role)
    if person is None:
        return None
    record = next((r for r in routed.identities if r.id_number == person.id_number), None)
    return record.birth_date if record and person.id_number else person.birth_date


def elapsed_days(routed: DossierRouted) -> float:
    """Working days already spent between the dossier's receipt and its routing."""
    return working_days_between(routed.submission.received_simtime, routed.routed_simtime)


def same_day_days(start: datetime, fraction: float) -> float:
    """A share `fraction` of the office time left on the working day of `start`."""
    office = next_office_moment(start)
    close = datetime.combine(office.date(), OFFICE_CLOSE, HANOI_TZ)
    return floor_days(fraction * working_days_between(office, close))


@dataclass(frozen=True)
class Adapter:
    """A portal that settles dossiers handed to it by the national portal.

    Subclasses add their own refusals (`refusal`) and special processing times
    (`processing_days`); plain settings cover the rest.
    """

    portal: Portal
    prefix: str
    default_days: DayRange
    prefixes: dict[int, str] = field(default_factory=dict)
    day_ranges: dict[int, DayRange] = field(default_factory=dict)
    min_ages: dict[int, int] = field(default_factory=dict)
    same_day: frozenset[int] = frozenset()
    linked_step_days: DayRange = (0.3, 1.2)
    rejection_rate: float = 0.03
    late_rate: float = 0.05

    def decide(self, routed: DossierRouted, procedure: Procedure) -> Decision:
        """The outcome and the working days from routing to settlement."""
        refusal = self.common_refusal(routed, procedure) or self.refusal(routed, procedure)
        if refusal is None and draw(routed.dossier_id, "incomplete") < self.rejection_rate:
            refusal = INCOMPLETE_DOCUMENTS
        days = self.processing_days(routed, procedure)
        if refusal is not None:
            review = floor_days(0.1 + 0.9 * draw(routed.dossier_id, "review"))
            return Decision(Outcome.REJECTED, min(days, review), refusal.code, refusal.text)
        return Decision(
            Outcome.APPROVED, days, result_document_prefix=self.result_prefix(procedure)
        )

    def common_refusal(self, routed: DossierRouted, procedure: Procedure) -> Refusal | None:
        """Refusals every adapter applies: minimum applicant age, civil-status form."""
        minimum = max(procedure.min_applicant_age or 0, self.min_ages.get(procedure.number, 0))
        born = birth_date_of(routed, PersonRole.APPLICANT)
        if minimum and born is not None:
            age = age_on(born, routed.routed_simtime.astimezone(HANOI_TZ).date())
            if age < minimum:
                return Refusal(
                    "under_age",
                    f"Chưa đủ tuổi: the applicant is {age}, under the minimum age {minimum}.",
                )
        problem = form_problem(routed.submission, procedure)
        if problem is not None:
            return Refusal("form_invalid", f"Tờ khai không hợp lệ: {problem}.")
        return None

    def refusal(self, routed: DossierRouted, procedure: Procedure) -> Refusal | None:
        """The adapter's own rules; none by default."""
        return None

    def processing_days(self, routed: DossierRouted, procedure: Procedure) -> float:
        """Working days from routing to settlement, drawn from the dossier id.

        Same-day procedures take part of the day left; linked steps take
        `linked_step_days`; with a legal limit, the total from receipt is drawn within
        it, or over it for a `late_rate` share; without, from the adapter's range.
        """
        u = draw(routed.dossier_id, "days")
        limit = procedure.legal_time_limit_days
        if procedure.number in self.same_day or limit == 0:
            return same_day_days(routed.routed_simtime, u)
        if routed.submission.parent_dossier_id is not None:
            return self._in_range(self.linked_step_days, u)
        if limit is None:
            return self._in_range(self.day_ranges.get(procedure.number, self.default_days), u)
        if draw(routed.dossier_id, "late") < self.late_rate:
            total = limit * (1.05 + 0.45 * u) + 0.01
            return math.ceil(max(0.0, total - elapsed_days(routed)) * 1000) / 1000
        return floor_days(limit * (0.2 + 0.8 * u) - elapsed_days(routed))

    def result_prefix(self, procedure: Procedure) -> str:
        """Prefix of the result document number of an approved dossier."""
        return self.prefixes.get(procedure.number, self.prefix)

    @staticmethod
    def _in_range(day_range: DayRange, u: float) -> float:
        low, high = day_range
        return floor_days(low + (high - low) * u)
