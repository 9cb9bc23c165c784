"""The power utility (ngành điện), reached via the national portal.

New low-voltage connection (24) and change of party on the electricity contract (25).
"""

from __future__ import annotations

from contracts.catalogue import Portal
from services.national_portal.ministries.base import Adapter

__all__ = ["ADAPTER"]

NEW_CONNECTION = 24
CONTRACT_CHANGE = 25

ADAPTER = Adapter(
    portal=Portal.UTILITY_POWER,
    prefix="EVN",
    default_days=(1.0, 3.0),
    prefixes={NEW_CONNECTION: "CDM", CONTRACT_CHANGE: "HDMBD"},
    day_ranges={NEW_CONNECTION: (2.0, 7.0), CONTRACT_CHANGE: (1.0, 3.0)},
)
