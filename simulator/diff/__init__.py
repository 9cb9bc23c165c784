"""Per-dossier outcomes of an event log, and the diff of two logs' outcomes."""

from simulator.diff.diff import DossierDiff, LogDiff, diff_outcomes
from simulator.diff.outcomes import COMPARED_FIELDS, DossierOutcome, outcomes_from_records
from simulator.diff.render import print_diff

__all__ = [
    "COMPARED_FIELDS",
    "DossierDiff",
    "DossierOutcome",
    "LogDiff",
    "diff_outcomes",
    "outcomes_from_records",
    "print_diff",
]
