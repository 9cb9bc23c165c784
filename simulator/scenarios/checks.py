"""Scenario settings that would do nothing: refused, or warned about, before a run starts.

A file can be valid field by field and still ask for something that cannot happen: a
share of foreigners among procedures foreigners never apply for, a procedure moved to
another portal that no dossier is for. Two kinds of finding (docs/scenarios.md):

- `refusals(scenario)`: from the file alone, the setting can never take effect, whatever
  the seed; `portalsim run` refuses the file, naming the field path and why.
- `warnings(scenario, demand, variant)`: the setting takes no effect on *this* demand (a
  desk override for a unit no desk dossier of this seed goes to), or changes nothing (a
  procedure routed where it already goes); the run goes on, and the warning is printed
  before it starts and listed in summary.json `warnings`. (Against a deployment the run
  applies the policies and faults through the services' operations API, or refuses to
  start: `simulator.run.operations`.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from contracts.catalogue import Catalogue, CatalogueError, Portal, load_catalogue
from simulator.scenarios.demand import COMMUNE_DESK_PROCEDURES, FOREIGNER_PROCEDURES, DemandItem
from simulator.scenarios.scenario import Policies, Scenario, Variant

__all__ = ["Finding", "refusals", "warnings"]

MARRIAGE = 11
ID_CARD = 2
DESK_POLICIES = (
    "desk_capacity_per_day",
    "desk_capacity_overrides",
    "scan_failure_rate",
    "e_archive",
)


@dataclass(frozen=True)
class Finding:
    """A setting that would do nothing: the field's path and why."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"

    def as_json(self) -> dict[str, str]:
        """The finding as summary.json lists it."""
        return {"field": self.field, "reason": self.reason}


def _numbers(numbers: set[int]) -> str:
    return ", ".join(str(n) for n in sorted(numbers))


def _demanded(scenario: Scenario, catalogue: Catalogue) -> set[int]:
    """Numbers of the procedures the demand has a volume for."""
    return {
        catalogue.by_code(code).number
        for code, volume in scenario.demand.procedures.items()
        if volume.daily > 0
    }


def _reachable(demanded: set[int], catalogue: Catalogue) -> set[int]:
    """The demanded procedures and the catalogue procedures their linked steps are."""
    steps = {
        step.procedure_number
        for number in demanded
        for step in catalogue.by_number(number).linked_steps
        if step.procedure_number is not None
    }
    return demanded | steps


def _routing(scenario: Scenario) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each routing_overrides given, base and variants, with its field path."""
    yield "policies.routing_overrides", dict(scenario.policies.routing_overrides)
    for index, variant in enumerate(scenario.variants):
        if "routing_overrides" in variant.policies:
            path = f"variants.{index}.policies.routing_overrides"
            yield path, dict(variant.policies["routing_overrides"])


def refusals(scenario: Scenario) -> list[Finding]:
    """Settings that can never take effect with this file's demand, whatever the seed."""
    catalogue = load_catalogue()
    demanded = _demanded(scenario, catalogue)
    found: list[Finding] = []
    if scenario.foreigner_share > 0 and not demanded & FOREIGNER_PROCEDURES:
        found.append(
            Finding(
                "foreigner_share",
                f"{scenario.foreigner_share:g}, but foreigners apply only for procedures "
                f"{_numbers(set(FOREIGNER_PROCEDURES))} and the demand has none of them: "
                "no applicant would be a foreigner",
            )
        )
    reachable = _reachable(demanded, catalogue)
    for path, overrides in _routing(scenario):
        for code in overrides:
            try:
                number = catalogue.by_code(code).number
            except KeyError:
                reason = "no procedure has this code (the city portal would not start)"
                found.append(Finding(f"{path}.{code}", reason))
                continue
            if number not in reachable:
                reason = (
                    f"no dossier of the demand is for procedure {number} (nor a linked step "
                    "of one): the override would move nothing"
                )
                found.append(Finding(f"{path}.{code}", reason))
    return found


def _static_warnings(scenario: Scenario) -> list[Finding]:
    demand, found = scenario.demand, []
    own = [volume.online_share is not None for volume in demand.procedures.values()]
    if "online_share" in demand.model_fields_set and own and all(own):
        reason = "every procedure of the demand sets its own online_share: this one is unused"
        found.append(Finding("demand.online_share", reason))
    if scenario.foreigner_share == 1:
        catalogue = load_catalogue()
        for code, volume in demand.procedures.items():
            if volume.online_share is not None and catalogue.by_code(code).number in (
                FOREIGNER_PROCEDURES
            ):
                reason = "every applicant is a foreigner (foreigner_share 1), and they apply online"
                found.append(Finding(f"demand.procedures.{code}.online_share", reason))
    return found


def _adapters_settle_some(policies: Policies, numbers: set[int]) -> bool:
    """Does a ministry or utility adapter settle any of these procedures (or their steps)?"""
    try:
        catalogue = load_catalogue().with_overrides(policies.routing_overrides)
    except CatalogueError:  # an unknown code: refused before any run
        return True
    for number in numbers:
        procedure = catalogue.by_number(number)
        portals = [procedure.settled_by, *(step.settled_by for step in procedure.linked_steps)]
        if any(portal.via_national_portal for portal in portals):
            return True
    return False


def _settled_by(catalogue: Catalogue, code: str) -> Portal | None:
    try:
        return catalogue.by_code(code).settled_by
    except KeyError:  # an unknown code: refused before any run
        return None


def _policy_warnings(
    policies: Policies, given: set[str], prefix: str, demand: Sequence[DemandItem]
) -> list[Finding]:
    catalogue, found = load_catalogue(), []
    numbers = {catalogue.by_code(item.procedure_code).number for item in demand}
    desk_units = {item.unit_code for item in demand if item.channel == "desk"}
    for code, portal in policies.routing_overrides.items():
        if _settled_by(catalogue, code) == portal:
            reason = f"{portal} settles this procedure already: the override changes nothing"
            found.append(Finding(f"{prefix}.routing_overrides.{code}", reason))
    for name in DESK_POLICIES if not desk_units else ():
        if name in given:
            found.append(Finding(f"{prefix}.{name}", "no dossier of the demand goes to a desk"))
    for unit in policies.desk_capacity_overrides if desk_units else ():
        if unit not in desk_units:
            level = "commune" if len(unit) > 3 else "district"
            reason = (
                f"no desk dossier of this demand goes to {level} {unit} (procedures "
                f"{_numbers(set(COMMUNE_DESK_PROCEDURES))} go to the applicant's commune "
                "desk, the others to the district's)"
            )
            found.append(Finding(f"{prefix}.desk_capacity_overrides.{unit}", reason))
    for name in ("marriage_min_age_male", "marriage_min_age_female"):
        if name in given and MARRIAGE not in numbers:
            reason = f"no marriage registration (procedure {MARRIAGE}) in the demand"
            found.append(Finding(f"{prefix}.{name}", reason))
    if "foreigners_may_register" in given and not any(item.foreigner for item in demand):
        found.append(Finding(f"{prefix}.foreigners_may_register", "no applicant is a foreigner"))
    if "id_card_capacity_per_day" in given and ID_CARD not in numbers:
        reason = f"no ID-card application (procedure {ID_CARD}) in the demand"
        found.append(Finding(f"{prefix}.id_card_capacity_per_day", reason))
    if "ministry_rejection_rate" in given and not _adapters_settle_some(policies, numbers):
        reason = "no dossier of the demand is settled by a ministry or utility adapter"
        found.append(Finding(f"{prefix}.ministry_rejection_rate", reason))
    return found


def warnings(
    scenario: Scenario, demand: Sequence[DemandItem], variant: Variant | None = None
) -> list[Finding]:
    """What would do nothing in the run of the scenario (or of one of its variants)."""
    if variant is None:
        given = set(scenario.policies.model_fields_set)
        return _static_warnings(scenario) + _policy_warnings(
            scenario.policies, given, "policies", demand
        )
    prefix = f"variants.{scenario.variants.index(variant)}.policies"
    policies = scenario.policies_of(variant)
    found = _policy_warnings(policies, set(variant.policies), prefix, demand)
    if policies == scenario.policies:
        found.insert(0, Finding(prefix, "changes no policy from the scenario's"))
    return found
