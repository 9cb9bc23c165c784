"""Identity checks: a declared identity compared with the population record under its number.

Pure: the record is looked up by the caller. Details are sentences without personal
data, since they end up in logs.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from contracts.events import IdentityCheckCompleted, IdentityCheckRequested, IdentityResult
from contracts.id_numbers import IdNumberError, id_number_consistency, parse_id_number
from contracts.people import DeclaredPerson, PersonFacts
from services.kit.outgoing import Outgoing

__all__ = [
    "IdentityVerdict",
    "answer_of",
    "identity_check_completed",
    "is_well_formed",
    "judge_identity",
    "same_name",
]


@dataclass(frozen=True)
class IdentityVerdict:
    """The answer to one identity check."""

    result: IdentityResult
    mismatched_fields: tuple[str, ...] = ()
    detail: str = ""


def is_well_formed(id_number: str) -> bool:
    """Whether the ID number parses (12 digits, known province, supported century digit)."""
    try:
        parse_id_number(id_number)
    except IdNumberError:
        return False
    return True


def _normal_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def same_name(declared: str, recorded: str) -> bool:
    """Names match when equal after Unicode NFC, whitespace folding and case folding."""
    return _normal_name(declared) == _normal_name(recorded)


def judge_identity(
    id_number: str, declared: DeclaredPerson, record: PersonFacts | None
) -> IdentityVerdict:
    """Compare a declared identity with the record found under ``id_number`` (if any).

    Order: a malformed number, no record, a deceased record, then the field comparison.
    A mismatch names each differing field (``full_name``, ``birth_date``, ``sex``) and
    ``id_number`` when the number's own sex/birth-year digits contradict the declaration.
    """
    try:
        parse_id_number(id_number)
    except IdNumberError as exc:
        return IdentityVerdict(
            IdentityResult.MALFORMED_ID, detail=f"The ID number is malformed: {exc.message}."
        )
    if record is None:
        return IdentityVerdict(
            IdentityResult.NOT_FOUND, detail="No person has this ID number in the database."
        )
    if not record.alive:
        return IdentityVerdict(
            IdentityResult.DECEASED, detail="The person with this ID number is recorded deceased."
        )
    fields: list[str] = []
    if not same_name(declared.full_name, record.full_name):
        fields.append("full_name")
    if declared.birth_date != record.birth_date:
        fields.append("birth_date")
    if declared.sex != record.sex:
        fields.append("sex")
    if id_number_consistency(id_number, declared.sex, declared.birth_date):
        fields.append("id_number")
    if fields:
        return IdentityVerdict(
            IdentityResult.MISMATCH,
            tuple(fields),
            f"The declared {', '.join(fields)} differ from the population record.",
        )
    return IdentityVerdict(IdentityResult.MATCH, detail="The declared identity matches the record.")


def identity_check_completed(
    request: IdentityCheckRequested, record: PersonFacts | None
) -> Outgoing:
    """The answer to an identity check, given the record found under its number (if any).

    Its subject is the requester (the dossier or account asking).
    """
    return answer_of(request, judge_identity(request.id_number, request.person, record), record)


def answer_of(
    request: IdentityCheckRequested, verdict: IdentityVerdict, record: PersonFacts | None
) -> Outgoing:
    """The `identity.check.completed` event of a verdict on a check (subject: the requester)."""
    completed = IdentityCheckCompleted(
        check_id=request.check_id,
        requester_kind=request.requester_kind,
        requester_id=request.requester_id,
        role=request.person.role,
        result=verdict.result,
        mismatched_fields=list(verdict.mismatched_fields),
        detail=verdict.detail,
        record=record,
    )
    return Outgoing("identity.check.completed", completed, subject_override=request.requester_id)
