"""Friction applied to a demand: online applicants who abandon go to a desk or give up.

Who abandons, and where, is drawn from hashes (`friction.uniform`), never from the
demand's random stream (see `friction`). An applicant who gives up at account registration
gives up every online dossier of that account; one who abandons at a complex form gives
up that dossier only. One who goes to a desk instead goes on the next working day, in
office hours, to the desk that takes the procedure (the commune's or the district's).
The dossier keeps its client_ref, so the same intent has the same reference under every
policy; items stay in order of simulated arrival.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from contracts.catalogue import load_catalogue
from contracts.worktime import HANOI_TZ, is_working_day
from simulator.scenarios.arrivals import desk_moment
from simulator.scenarios.friction import AbandonRates, abandon_rates, uniform

if TYPE_CHECKING:
    from simulator.scenarios.demand import DemandItem
    from simulator.scenarios.scenario import Policies, Scenario

__all__ = ["STAGES", "apply_friction"]

#: Where an online applicant abandons, in the order they meet them.
STAGES = ("registration", "complex_form")


def _holder_key(item: DemandItem) -> str:
    holder = item.account_holder
    return holder.id_number or f"{holder.nationality}:{holder.passport_number}"


def _stage(item: DemandItem, rates: AbandonRates, complex_codes: set[str], key: str) -> str | None:
    if item.channel != "online" or item.foreigner:
        return None
    if uniform(key, _holder_key(item), "registration") < rates.registration:
        return "registration"
    form = uniform(key, item.client_ref, "complex_form")
    if item.procedure_code in complex_codes and form < rates.complex_form:
        return "complex_form"
    return None


def _at_desk(item: DemandItem, stage: str, key: str) -> DemandItem:
    day = item.simtime.astimezone(HANOI_TZ).date() + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    moment = desk_moment(random.Random(f"{key}:{item.client_ref}:desk"), day)
    unit = str(item.extra.get("desk_unit", item.unit_code))
    return replace(item, channel="desk", unit_code=unit, simtime=moment, abandoned=f"{stage}:desk")


def apply_friction(
    items: list[DemandItem], scenario: Scenario, policies: Policies
) -> list[DemandItem]:
    """The demand after friction under these policies (unchanged without friction)."""
    rates = abandon_rates(
        scenario.friction, policies.digital_teams_per_commune, policies.simple_sign_in
    )
    if rates.registration == 0 and rates.complex_form == 0:
        return items
    catalogue = load_catalogue()
    complex_codes = {catalogue.by_number(n).code for n in scenario.friction.complex_forms}
    key = f"friction:{scenario.name}:{scenario.seed}"
    result = []
    for item in items:
        stage = _stage(item, rates, complex_codes, key)
        if stage is None:
            result.append(item)
        elif uniform(key, item.client_ref, "to_desk") < rates.to_desk:
            result.append(_at_desk(item, stage, key))
        else:
            result.append(replace(item, abandoned=f"{stage}:gave_up"))
    result.sort(key=lambda item: (item.simtime, item.procedure_code, item.index))
    return result
