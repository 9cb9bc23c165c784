"""The adapters by the portal they play: `ADAPTERS`, and copies with scenario rates."""

from __future__ import annotations

from dataclasses import replace

from contracts.catalogue import Portal
from services.national_portal.ministries import (
    education,
    justice,
    labour,
    national,
    power,
    public_security,
    social_insurance,
    tax,
    transport,
)
from services.national_portal.ministries.base import Adapter

__all__ = ["ADAPTERS", "build_adapters"]

ADAPTERS: dict[Portal, Adapter] = {
    module.ADAPTER.portal: module.ADAPTER
    for module in (
        public_security,
        justice,
        social_insurance,
        tax,
        education,
        labour,
        transport,
        power,
        national,
    )
}


def build_adapters(rejection_rate: float, late_rate: float) -> dict[Portal, Adapter]:
    """Every adapter with the scenario's rejection and late rates."""
    return {
        portal: replace(adapter, rejection_rate=rejection_rate, late_rate=late_rate)
        for portal, adapter in ADAPTERS.items()
    }
