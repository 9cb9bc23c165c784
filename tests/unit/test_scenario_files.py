"""Scenario files: the built-in ones load; each kind of invalid file gets its message."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.scenarios.scenario import (
    BUILT_IN_DIR,
    DEFAULT_CONCURRENCY,
    ScenarioError,
    load_scenario,
    resolve_scenario,
)

BUILT_IN = sorted(BUILT_IN_DIR.glob("*.yaml"))
MINIMAL = """
name: minimal
description: The smallest valid scenario.
demand:
  procedures:
    "6": {per_day: 10}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", BUILT_IN, ids=lambda p: p.stem)
def test_each_built_in_scenario_is_valid_and_says_what_it_answers(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert "?" in scenario.description


def test_the_ten_built_in_scenarios_exist() -> None:
    assert {p.stem for p in BUILT_IN} == {
        "hanoi-day",
        "hanoi-year-residence",
        "foreigners-can-register",
        "national-portal-outage",
        "population-db-slow",
        "desk-backlog",
        "registration-friction",
        "hanoi-cccd-campaign",
        "records-cleaning",
        "desk-archive",
    }


def test_a_minimal_file_gets_the_documented_defaults(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, MINIMAL))
    assert scenario.seed == 6
    assert scenario.policies.foreigners_may_register is False
    assert scenario.policies.marriage_min_age_male == 20


def test_hanoi_year_residence_has_the_published_volumes() -> None:
    scenario = load_scenario(BUILT_IN_DIR / "hanoi-year-residence.yaml")
    yearly = sum(d.daily for d in scenario.demand.procedures.values()) * scenario.days
    assert round(yearly) == 421_100


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [unclosed", "not valid YAML"),
        ("- a list", "expected a mapping"),
        (MINIMAL.replace("name: minimal", "name: Not Valid"), "name: String should match"),
        (MINIMAL + "colour: blue\n", "colour: Extra inputs are not permitted"),
        (MINIMAL.replace('"6": {per_day: 10}', '"99": {per_day: 10}'), "unknown procedure '99'"),
        (MINIMAL.replace("{per_day: 10}", "{per_day: 10, per_year: 5}"), "exactly one of"),
        (MINIMAL.replace("{per_day: 10}", "{per_day: -1}"), "demand.procedures.6.per_day"),
        (
            MINIMAL.replace("{per_day: 10}", "{per_day: 10, desk_per_day: 1, desk_per_year: 9}"),
            "at most one of desk_per_day or desk_per_year",
        ),
        (MINIMAL + "foreigner_share: 1.5\n", "foreigner_share: Input should be less than"),
        (MINIMAL + "friction: {complex_forms: [99]}\n", "no procedure has the number(s) [99]"),
        (MINIMAL + "friction: {to_desk_share: 2}\n", "friction.to_desk_share"),
        (MINIMAL + "concurrency: 5001\n", "concurrency: Input should be less than or equal"),
        (MINIMAL + "concurrency: 0\n", "concurrency: Input should be greater than or equal"),
        (
            MINIMAL + "faults: [{service: national_portal, stop_at_s: 9, restart_at_s: 3}]\n",
            "restart_at_s must come after stop_at_s",
        ),
        (
            MINIMAL + "faults: [{service: printer, stop_at_s: 1, restart_at_s: 3}]\n",
            "faults.0.service",
        ),
        (MINIMAL + "policies: {routing_overrides: {'1.001193': moon}}\n", "routing_overrides"),
        (MINIMAL + "policies: {desk_capacity_overrides: {'999': 5}}\n", "not a Hanoi district"),
        (
            MINIMAL.replace("description: The smallest valid scenario.\n", ""),
            "description: Field required",
        ),
    ],
)
def test_an_invalid_file_is_refused_naming_the_file_and_field(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_a_file_can_extend_another_and_change_some_fields(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(MINIMAL, encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: base\nname: child\ndemand: {scale: 0.5}\n", encoding="utf-8")
    scenario = load_scenario(child)
    assert scenario.demand.scale == 0.5
    assert "PERMANENT" not in scenario.description
    assert list(scenario.demand.procedures) == ["2.001159"]


def test_an_unknown_scenario_name_lists_the_built_in_ones() -> None:
    with pytest.raises(ScenarioError, match="hanoi-day"):
        resolve_scenario("no-such-scenario")


def test_a_scenario_drives_a_citys_thousand_applicants_at_once_by_default(
    tmp_path: Path,
) -> None:
    assert load_scenario(write(tmp_path, MINIMAL)).concurrency == DEFAULT_CONCURRENCY >= 1_000
