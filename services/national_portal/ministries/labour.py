"""Ministry of Labour, Invalids and Social Affairs (Bộ LĐTBXH) portal.

Unemployment benefit (procedure 23; applicants under 15 are refused `under_age`) and the
funeral allowance, last step of the death group (16).
"""

from __future__ import annotations

from contracts.catalogue import Portal
from services.national_portal.ministries.base import Adapter

__all__ = ["ADAPTER"]

DEATH_GROUP = 16
UNEMPLOYMENT_BENEFIT = 23

ADAPTER = Adapter(
    portal=Portal.MINISTRY_LABOUR,
    prefix="LDTBXH",
    default_days=(1.0, 5.0),
    prefixes={UNEMPLOYMENT_BENEFIT: "TCTN", DEATH_GROUP: "MTP"},
    day_ranges={UNEMPLOYMENT_BENEFIT: (10.0, 20.0)},
    min_ages={UNEMPLOYMENT_BENEFIT: 15},
)
