"""The national portal settling its own procedures, e.g. land-use change registration (19)."""

from __future__ import annotations

from contracts.catalogue import Portal
from services.national_portal.ministries.base import Adapter

__all__ = ["ADAPTER"]

LAND_USE = 19

ADAPTER = Adapter(
    portal=Portal.NATIONAL_PORTAL,
    prefix="DVCQG",
    default_days=(2.0, 10.0),
    prefixes={LAND_USE: "GCN"},
    day_ranges={LAND_USE: (5.0, 10.0)},
)
