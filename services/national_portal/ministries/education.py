"""Ministry of Education and Training (Bộ GD&ĐT): high-school exam registration (21).

Candidates younger than 15 are refused (`under_age`): the upper-secondary exam is
taken after the grade-12 year.
"""

from __future__ import annotations

from contracts.catalogue import Portal
from services.national_portal.ministries.base import Adapter

__all__ = ["ADAPTER"]

EXAM_REGISTRATION = 21

ADAPTER = Adapter(
    portal=Portal.MINISTRY_EDUCATION,
    prefix="DKDT",
    default_days=(0.5, 3.0),
    min_ages={EXAM_REGISTRATION: 15},
)
