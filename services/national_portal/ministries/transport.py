"""Ministry of Transport (Bộ GTVT) portal: driving-licence renewal and re-issue (20).

A driving licence needs the applicant to be at least 18 (`under_age` otherwise).
"""

from __future__ import annotations

from contracts.catalogue import Portal
from services.national_portal.ministries.base import Adapter

__all__ = ["ADAPTER"]

DRIVING_LICENCE = 20

ADAPTER = Adapter(
    portal=Portal.MINISTRY_TRANSPORT,
    prefix="GPLX",
    default_days=(3.0, 5.0),
    min_ages={DRIVING_LICENCE: 18},
)
