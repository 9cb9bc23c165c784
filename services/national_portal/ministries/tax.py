"""Ministry of Finance tax authority (cơ quan thuế): first tax registration or change (18)."""

from __future__ import annotations

from contracts.catalogue import Portal
from services.national_portal.ministries.base import Adapter

__all__ = ["ADAPTER"]

ADAPTER = Adapter(
    portal=Portal.MINISTRY_TAX,
    prefix="MST",
    default_days=(1.0, 3.0),
)
