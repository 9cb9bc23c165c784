"""Ministry of Justice (Bộ Tư pháp) portal: the criminal-record certificate (procedure 22).

The catalogue has no legal limit for it; the adapter's default is up to 10 working days.
"""

from __future__ import annotations

from contracts.catalogue import Portal
from services.national_portal.ministries.base import Adapter

__all__ = ["ADAPTER"]

ADAPTER = Adapter(
    portal=Portal.MINISTRY_JUSTICE,
    prefix="LLTP",
    default_days=(5.0, 10.0),
)
