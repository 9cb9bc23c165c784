"""Pure rules of the population database (no IO): identity checks and civil-status changes.

Each returns the events to publish as `Outgoing` values and, for a change, the records
to write; the handlers load and save, the kit publishes.
"""

from services.population_db.domain.changes import (
    AppliedChange,
    ChangeRefused,
    Lookup,
    RecordChanges,
    apply_change,
    birth_id_number,
    record_changed_events,
)
from services.population_db.domain.identity import (
    IdentityVerdict,
    identity_check_completed,
    is_well_formed,
    judge_identity,
    same_name,
)

__all__ = [
    "AppliedChange",
    "ChangeRefused",
    "IdentityVerdict",
    "Lookup",
    "RecordChanges",
    "apply_change",
    "birth_id_number",
    "identity_check_completed",
    "is_well_formed",
    "judge_identity",
    "record_changed_events",
    "same_name",
]
