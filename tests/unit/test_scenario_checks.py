"""Scenario settings that would do nothing: refused (whatever the seed) or warned about."""

from __future__ import annotations

from typing import Any

from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.checks import Finding, refusals, warnings
from simulator.scenarios.demand import DemandItem, generate_demand
from simulator.scenarios.scenario import Scenario

BIRTHS, STAYS, LINKED_BIRTH, TAX = "1.001193", "2.001159", "15", "18"


def scenario(**fields: Any) -> Scenario:
    """A small scenario: 40 stay notifications a day unless `demand` says otherwise."""
    base: dict[str, Any] = {
        "name": "checked",
        "description": "What does the check say?",
        "population_size": 1000,
        "demand": {"procedures": {"6": {"per_day": 40}}},
    }
    return Scenario.model_validate(base | fields)


def demand_of(checked: Scenario) -> list[DemandItem]:
    pool = ApplicantPool(checked.population_size, checked.population_seed, checked.start_date)
    return generate_demand(checked, pool)


def fields(found: list[Finding]) -> list[str]:
    return [finding.field for finding in found]


def warned(checked: Scenario) -> list[str]:
    return fields(warnings(checked, demand_of(checked)))


def test_foreigner_share_on_procedures_foreigners_never_apply_for_is_refused() -> None:
    births_only = scenario(foreigner_share=0.6, demand={"procedures": {"9": {"per_day": 5}}})
    [finding] = refusals(births_only)
    assert finding.field == "foreigner_share"
    assert "no applicant would be a foreigner" in finding.reason


def test_foreigner_share_with_a_procedure_foreigners_apply_for_is_accepted() -> None:
    assert refusals(scenario(foreigner_share=0.6)) == []


def test_a_routing_override_naming_no_procedure_is_refused() -> None:
    unknown = scenario(policies={"routing_overrides": {"9.999999": "national_portal"}})
    assert fields(refusals(unknown)) == ["policies.routing_overrides.9.999999"]


def test_a_routing_override_of_a_procedure_nobody_applies_for_is_refused() -> None:
    unused = scenario(policies={"routing_overrides": {BIRTHS: "national_portal"}})
    [finding] = refusals(unused)
    assert finding.field == f"policies.routing_overrides.{BIRTHS}"
    assert "would move nothing" in finding.reason


def test_a_routing_override_of_a_linked_step_of_a_demanded_procedure_is_accepted() -> None:
    linked = scenario(
        demand={"procedures": {LINKED_BIRTH: {"per_day": 5}}},
        policies={"routing_overrides": {BIRTHS: "national_portal"}},
    )
    assert refusals(linked) == []


def test_a_variant_s_routing_override_is_refused_with_the_variant_s_path() -> None:
    variant = {"name": "moved", "policies": {"routing_overrides": {BIRTHS: "national_portal"}}}
    assert fields(refusals(scenario(variants=[variant]))) == [
        f"variants.0.policies.routing_overrides.{BIRTHS}"
    ]


def test_a_routing_override_to_the_portal_that_settles_it_already_is_warned_about() -> None:
    same = scenario(policies={"routing_overrides": {STAYS: "ministry.public_security"}})
    assert warned(same) == [f"policies.routing_overrides.{STAYS}"]


def test_a_desk_capacity_override_for_a_unit_no_desk_dossier_goes_to_is_warned_about() -> None:
    # stay notifications go to the commune's desk: no desk dossier reaches a district's
    district = scenario(policies={"desk_capacity_overrides": {"282": 5}})
    assert warned(district) == ["policies.desk_capacity_overrides.282"]


def test_desk_policies_with_every_dossier_online_are_warned_about() -> None:
    online = scenario(
        demand={"online_share": 1.0, "procedures": {"6": {"per_day": 40}}},
        policies={"desk_capacity_per_day": 8, "scan_failure_rate": 0.2},
    )
    assert warned(online) == ["policies.desk_capacity_per_day", "policies.scan_failure_rate"]


def test_marriage_ages_without_a_marriage_registration_are_warned_about() -> None:
    ages = scenario(policies={"marriage_min_age_male": 18})
    assert warned(ages) == ["policies.marriage_min_age_male"]


def test_an_id_card_capacity_without_an_id_card_application_is_warned_about() -> None:
    line = scenario(policies={"id_card_capacity_per_day": 1000})
    assert warned(line) == ["policies.id_card_capacity_per_day"]


def test_an_e_archive_without_a_desk_dossier_is_warned_about() -> None:
    online = scenario(
        demand={"procedures": {"6": {"per_day": 40, "online_share": 1.0}}},
        policies={"e_archive": True},
    )
    assert warned(online) == ["policies.e_archive"]


def test_letting_foreigners_register_without_a_foreign_applicant_is_warned_about() -> None:
    assert warned(scenario(policies={"foreigners_may_register": True})) == [
        "policies.foreigners_may_register"
    ]


def test_a_ministry_rejection_rate_with_no_dossier_for_a_ministry_is_warned_about() -> None:
    births = scenario(
        demand={"procedures": {"9": {"per_day": 5}}}, policies={"ministry_rejection_rate": 0.5}
    )
    assert warned(births) == ["policies.ministry_rejection_rate"]


def test_a_default_online_share_every_procedure_overrides_is_warned_about() -> None:
    unused = scenario(
        demand={"online_share": 0.3, "procedures": {"6": {"per_day": 40, "online_share": 0.9}}}
    )
    assert warned(unused) == ["demand.online_share"]


def test_a_variant_that_changes_no_policy_is_warned_about() -> None:
    same = scenario(variants=[{"name": "same", "policies": {"desk_capacity_per_day": 400}}])
    assert fields(warnings(same, demand_of(same), same.variants[0])) == ["variants.0.policies"]


def test_a_variant_s_setting_that_does_nothing_is_warned_about_with_its_path() -> None:
    variant = {"name": "open", "policies": {"foreigners_may_register": True}}
    checked = scenario(variants=[variant])
    assert fields(warnings(checked, demand_of(checked), checked.variants[0])) == [
        "variants.0.policies.foreigners_may_register"
    ]


def test_settings_that_all_take_effect_give_no_warning() -> None:
    effective = scenario(
        foreigner_share=0.3,
        demand={"procedures": {"6": {"per_day": 40}, TAX: {"per_day": 10}}},
        policies={"foreigners_may_register": True, "desk_capacity_per_day": 8},
    )
    assert refusals(effective) == []
    assert warned(effective) == []
