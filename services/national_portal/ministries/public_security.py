"""Ministry of Public Security (Bộ Công an) portal: residence, ID cards, passports, seals.

Rules: an ID card (procedure 2) needs the applicant to be at least the catalogue's
`min_applicant_age` (14); temporary absence (5) and stay notification (6) settle the
same day; a passport (12) is issued on the last day of its legal limit (5 working days
from receipt); the deletion of permanent residence (step of group 16) is quick.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.catalogue import Portal, Procedure
from contracts.events import DossierRouted
from services.national_portal.ministries.base import Adapter, elapsed_days, floor_days

__all__ = ["ADAPTER", "PublicSecurityAdapter"]

PASSPORT = 12


@dataclass(frozen=True)
class PublicSecurityAdapter(Adapter):
    """The Public Security portal (Cổng DVC Bộ Công an)."""

    at_legal_limit: frozenset[int] = frozenset({PASSPORT})

    def processing_days(self, routed: DossierRouted, procedure: Procedure) -> float:
        """Passports take their whole legal limit; the rest as any adapter."""
        limit = procedure.legal_time_limit_days
        if procedure.number in self.at_legal_limit and limit is not None:
            return floor_days(limit - elapsed_days(routed))
        return super().processing_days(routed, procedure)


ADAPTER = PublicSecurityAdapter(
    portal=Portal.MINISTRY_PUBLIC_SECURITY,
    prefix="BCA",
    default_days=(1.0, 5.0),
    prefixes={
        1: "XNCMND",
        2: "CCCD",
        3: "DKTT",
        4: "DKTTR",
        5: "KBTV",
        6: "TBLT",
        7: "DKX",
        8: "NPVP",
        12: "HC",
        13: "CD",
        14: "CD",
        16: "XTT",
    },
    day_ranges={2: (3.0, 7.0), 7: (1.0, 2.0), 8: (0.1, 1.0), 13: (2.0, 5.0), 14: (2.0, 5.0)},
    same_day=frozenset({5, 6}),
)
