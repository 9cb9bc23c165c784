"""Vietnam Social Security (Bảo hiểm xã hội) portal: health-insurance cards.

Household health-insurance renewal (procedure 17), and the child health-insurance card
that is the last step of the birth group (15): it is refused (`not_eligible`) when the
child is 6 or older, since the free card covers children under 6.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.catalogue import Portal, Procedure
from contracts.events import DossierRouted
from contracts.people import PersonRole
from contracts.worktime import HANOI_TZ
from services.national_portal.ministries.base import Adapter, Refusal, age_on, birth_date_of

__all__ = ["ADAPTER", "SocialInsuranceAdapter"]

BIRTH_GROUP = 15
CHILD_CARD_MAX_AGE = 5


@dataclass(frozen=True)
class SocialInsuranceAdapter(Adapter):
    """The Social Security portal (Cổng DVC BHXH Việt Nam)."""

    def refusal(self, routed: DossierRouted, procedure: Procedure) -> Refusal | None:
        """A child card only for a child under 6."""
        if procedure.number != BIRTH_GROUP:
            return None
        born = birth_date_of(routed, PersonRole.CHILD)
        if born is None:
            return Refusal("form_invalid", "Tờ khai không hợp lệ: the child is not declared.")
        age = age_on(born, routed.routed_simtime.astimezone(HANOI_TZ).date())
        if age > CHILD_CARD_MAX_AGE:
            return Refusal("not_eligible", f"Không đủ điều kiện: the child is {age}, not under 6.")
        return None


ADAPTER = SocialInsuranceAdapter(
    portal=Portal.MINISTRY_SOCIAL_INSURANCE,
    prefix="BHXH",
    default_days=(1.0, 5.0),
    prefixes={17: "BHYT", BIRTH_GROUP: "BHYTTE"},
)
