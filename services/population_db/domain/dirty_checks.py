"""An identity check against a record that may be dirty (`records`): it fails while it is.

A declaration that already differs from the record fails as before; one that matches a
dirty record fails as a mismatch naming the field ``record_<category>`` (the category in
the rejection's text downstream), until the cleaning campaign reaches the record.
"""

from __future__ import annotations

from contracts.events import IdentityCheckRequested, IdentityResult
from contracts.people import PersonFacts
from services.kit.outgoing import Outgoing
from services.population_db.domain.identity import (
    IdentityVerdict,
    answer_of,
    identity_check_completed,
    judge_identity,
)
from services.population_db.domain.records import record_field

__all__ = ["checked_against_records"]

_DETAIL = {
    "children": "The child's population record is not complete yet (records being cleaned).",
    "merit": "The record of this person with merit is not complete yet (records being cleaned).",
    "moved": "The population record still shows a former residence (records being cleaned).",
}


def checked_against_records(
    request: IdentityCheckRequested, record: PersonFacts | None, dirty: str | None
) -> Outgoing:
    """The answer to an identity check when the record is dirty in category ``dirty`` (or
    clean: None)."""
    if dirty is None or record is None:
        return identity_check_completed(request, record)
    verdict = judge_identity(request.id_number, request.person, record)
    if verdict.result is not IdentityResult.MATCH:
        return identity_check_completed(request, record)
    field = record_field(dirty)
    dirty_verdict = IdentityVerdict(IdentityResult.MISMATCH, (field,), f"{field}: {_DETAIL[dirty]}")
    return answer_of(request, dirty_verdict, record)
