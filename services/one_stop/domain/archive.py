"""The electronic archive (lưu trữ hồ sơ điện tử) of the one-stop desks, when it exists.

Hanoi's one-year review of Project 06 (February 2023) says digitisation lags at the desks,
the city's dossier system has no digitisation feature, and there is no guidance on keeping
electronic records. With the archive (policy ``e_archive``), each desk dossier digitised is
kept from the end of its digitisation for its procedure's retention period, with its
result document once settled; a later desk dossier of the same applicant within the
retention of an archived one reuses its documents: the desk asks for fewer papers and
scans the dossier in ``1 / REUSE_SPEEDUP`` of the time (an ASSUMPTION: half). Without it,
nothing is kept and nothing reused (2022-2023).

Retention periods (`RETENTION_YEARS`) are ASSUMPTIONS in the spirit of Vietnam's rules on
keeping records of administrative procedures (civil-status and identity records kept
permanently, the others for a set number of years); they are not taken from a published
table, and docs/scenarios.md says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contracts.catalogue import Procedure

__all__ = [
    "PERMANENT_YEARS",
    "RETENTION_YEARS",
    "REUSE_SPEEDUP",
    "ArchivedDossier",
    "archive_entry",
    "kept_until",
    "retention_years",
    "reusable",
    "scan_capacity",
]

#: How many times faster a desk scans a dossier whose papers are already archived.
REUSE_SPEEDUP = 2
#: "Kept permanently" (vĩnh viễn), in years.
PERMANENT_YEARS = 100
#: Retention in years per catalogue number (ASSUMED); others: `DEFAULT_YEARS`.
RETENTION_YEARS: dict[int, int] = {
    1: PERMANENT_YEARS,  # confirm the old ID number: identity
    2: PERMANENT_YEARS,  # ID card
    3: 20,  # permanent residence
    4: 5,  # temporary residence
    5: 2,  # temporary absence
    6: 1,  # stay notification
    9: PERMANENT_YEARS,  # birth
    10: PERMANENT_YEARS,  # death
    11: PERMANENT_YEARS,  # marriage
    12: 10,  # passport
    15: PERMANENT_YEARS,  # linked birth + residence + health insurance
    16: PERMANENT_YEARS,  # linked death + residence deletion + funeral allowance
    19: PERMANENT_YEARS,  # land and house ownership
    22: 5,  # criminal-record certificate
}
DEFAULT_YEARS = 10


def retention_years(procedure: Procedure) -> int:
    """Years an archived dossier of this procedure is kept."""
    return RETENTION_YEARS.get(procedure.number, DEFAULT_YEARS)


def kept_until(kept_from: datetime, years: int) -> datetime:
    """The moment ``years`` after ``kept_from`` (29 February falls back to 28 February)."""
    target = kept_from.year + years
    try:
        return kept_from.replace(year=target)
    except ValueError:
        return kept_from.replace(year=target, day=28)


@dataclass(frozen=True)
class ArchivedDossier:
    """A digitised desk dossier kept in the archive, and for how long."""

    dossier_id: str
    dossier_code: str
    procedure_code: str
    id_number: str
    kept_from: datetime
    kept_until: datetime

    def kept_at(self, moment: datetime) -> bool:
        """Whether the archive has it at ``moment`` (digitised and within retention)."""
        return self.kept_from <= moment < self.kept_until


def archive_entry(
    dossier_id: str,
    dossier_code: str,
    procedure: Procedure,
    id_number: str | None,
    digitised: datetime | None,
) -> ArchivedDossier | None:
    """What the archive keeps of a desk dossier: nothing without an applicant's ID number
    or a digitisation (a failed scan)."""
    if id_number is None or digitised is None:
        return None
    until = kept_until(digitised, retention_years(procedure))
    return ArchivedDossier(dossier_id, dossier_code, procedure.code, id_number, digitised, until)


def reusable(archived: list[ArchivedDossier], moment: datetime) -> list[str]:
    """The codes of the applicant's archived dossiers a dossier received at ``moment`` reuses."""
    return sorted(entry.dossier_code for entry in archived if entry.kept_at(moment))


def scan_capacity(capacity_per_day: int, reused: list[str]) -> int:
    """Dossiers a day the desk would scan at this dossier's pace (faster when it reuses)."""
    return capacity_per_day * REUSE_SPEEDUP if reused else capacity_per_day
