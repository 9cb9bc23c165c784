"""Portal adapters: one module per ministry portal (and the power utility, and the national
portal's own procedures), each deciding dossiers with its own rules and times."""

from services.national_portal.ministries.base import Adapter, Decision, Refusal, draw
from services.national_portal.ministries.registry import ADAPTERS, build_adapters

__all__ = ["ADAPTERS", "Adapter", "Decision", "Refusal", "build_adapters", "draw"]
