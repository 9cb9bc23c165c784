"""The chip ID-card (CCCD) campaign: applications at desks and by mobile teams.

Hanoi's one-year review of Project 06 (February 2023) counts 6.5 million CCCD applications
taken in the year (at desks and by mobile teams that went to communes, schools and homes)
and 6.0 million cards returned. A scenario runs the applications at a stated scale as the
desk volume of procedure 2 (``demand.procedures["2"]``); Public Security's card line
produces `policies.id_card_capacity_per_day` cards a working day (Hanoi's scale, multiplied
by `demand.scale` for the run; `services/national_portal/id_cards.py`).

A share of the desk applications (`mobile_team_share`, an ASSUMPTION: the review gives no
split) is taken by a mobile team at the applicant's commune instead of the district's
desk; who is drawn from a hash of the dossier's client_ref, not from the demand's random
stream, so the rest of the demand is the same with or without mobile teams.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from simulator.scenarios.friction import uniform

if TYPE_CHECKING:
    from simulator.scenarios.demand import DemandItem

__all__ = ["ID_CARD_CODE", "IdCardCampaign", "with_mobile_teams"]

#: Code of the ID-card procedure (number 2 of contracts/catalogue.json).
ID_CARD_CODE = "2.001194"


class IdCardCampaign(BaseModel):
    """How the ID-card applications of a scenario are taken (none by mobile teams by default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mobile_team_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Share of the desk ID-card applications a mobile team takes at the "
        "applicant's commune instead of the district's desk (an assumption).",
    )


def with_mobile_teams(
    items: list[DemandItem],
    campaign: IdCardCampaign,
    key: str,
    commune_of: Callable[[DemandItem], str | None],
) -> list[DemandItem]:
    """The demand with a share of the desk ID-card applications taken by mobile teams at
    the applicant's commune (`commune_of`; the district's desk when it is unknown)."""
    if campaign.mobile_team_share == 0:
        return items
    result = []
    for item in items:
        if (
            item.procedure_code == ID_CARD_CODE
            and item.channel == "desk"
            and uniform(key, item.client_ref, "mobile_team") < campaign.mobile_team_share
        ):
            commune = commune_of(item) or item.unit_code
            item = replace(item, unit_code=commune, extra={**item.extra, "taken_by": "mobile_team"})
        result.append(item)
    return result
