"""The catalogue of the essential procedures: data, invariants, errors, overrides, CLI.

How many procedures there are comes from ``catalogue.json``; only
``test_catalogue_data_matches_the_published_list_of_25`` pins the published figure, as a
check of the data file."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from contracts.catalogue import (
    Catalogue,
    CatalogueError,
    CivilStatusEffect,
    Portal,
    check_default_routing,
    load_catalogue,
)
from simulator.commands.catalogue import catalogue_command
from simulator.scenarios.scenario import BUILT_IN_DIR, load_scenario

PACKAGED = Path(__file__).resolve().parents[2] / "contracts" / "catalogue.json"


def _packaged_entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(PACKAGED.read_text(encoding="utf-8"))["procedures"]
    return entries


@pytest.fixture
def catalogue() -> Catalogue:
    return load_catalogue()


def _write_modified(tmp_path: Path, change: Callable[[list[dict[str, Any]]], None]) -> Path:
    data = json.loads(PACKAGED.read_text(encoding="utf-8"))
    change(data["procedures"])
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_catalogue_data_matches_the_published_list_of_25() -> None:
    """The seed fact, checked on the data file: 25 procedures, 3 settled by the city portal."""
    entries = _packaged_entries()
    on_city = [e["name_en"] for e in entries if e["settled_by"] == Portal.CITY_PORTAL]
    assert len(entries) == 25
    assert on_city == ["Birth registration", "Death registration", "Marriage registration"]


def test_procedures_are_numbered_from_1_to_the_number_of_entries(catalogue: Catalogue) -> None:
    numbers = [p.number for p in catalogue.procedures]
    assert numbers == list(range(1, len(_packaged_entries()) + 1))


def test_every_procedure_has_exactly_one_settling_portal(catalogue: Catalogue) -> None:
    per_portal = [p.number for portal in Portal for p in catalogue.settled_on(portal)]
    assert sorted(per_portal) == [p.number for p in catalogue.procedures]


def test_the_city_portal_settles_exactly_the_procedures_the_data_gives_it(
    catalogue: Catalogue,
) -> None:
    in_data = [e["number"] for e in _packaged_entries() if e["settled_by"] == "city_portal"]
    assert [p.number for p in catalogue.settled_on(Portal.CITY_PORTAL)] == in_data


def test_the_hanoi_day_scenario_demands_every_catalogue_procedure(catalogue: Catalogue) -> None:
    demanded = load_scenario(BUILT_IN_DIR / "hanoi-day.yaml").demand.procedures
    assert set(demanded) == {p.code for p in catalogue.procedures}


def test_a_catalogue_with_one_more_procedure_loads_without_a_code_change(tmp_path: Path) -> None:
    """With the published data, a 26th procedure: the recipe of docs/extending.md section 7."""
    loaded = load_catalogue(_write_modified(tmp_path, _add_one_more))
    count = len(_packaged_entries()) + 1
    assert [p.number for p in loaded.procedures] == list(range(1, count + 1))
    assert loaded.by_code(f"HN.P06.{count:02d}").settled_by is Portal.MINISTRY_JUSTICE
    check_default_routing(loaded)


def test_procedure_codes_are_unique(catalogue: Catalogue) -> None:
    codes = [c for p in catalogue.procedures for c in (p.code, *p.related_codes)]
    assert len(codes) == len(set(codes))


def test_by_default_only_birth_marriage_and_death_settle_on_the_city_portal(
    catalogue: Catalogue,
) -> None:
    on_city = catalogue.settled_on(Portal.CITY_PORTAL)
    assert {p.civil_status_effect for p in on_city} == {
        CivilStatusEffect.BIRTH,
        CivilStatusEffect.MARRIAGE,
        CivilStatusEffect.DEATH,
    }
    assert [p.code for p in on_city] == ["1.001193", "1.000656", "1.000894"]


@pytest.mark.parametrize("number", [15, 16])
def test_linked_group_has_3_steps_starting_on_the_city_portal(
    catalogue: Catalogue, number: int
) -> None:
    steps = catalogue.by_number(number).linked_steps
    assert len(steps) == 3
    assert steps[0].settled_by is Portal.CITY_PORTAL


def test_only_the_linked_groups_have_steps(catalogue: Catalogue) -> None:
    assert [p.number for p in catalogue.procedures if p.linked_steps] == [15, 16]


def test_local_codes_are_marked_and_numbered(catalogue: Catalogue) -> None:
    assert catalogue.by_number(7).code == "HN.P06.07"
    assert catalogue.by_number(7).code_is_local
    assert not catalogue.by_number(9).code_is_local


def test_by_code_finds_a_procedure_by_a_related_code(catalogue: Catalogue) -> None:
    assert catalogue.by_code("2.001195").number == 2


def test_unknown_code_raises_key_error_naming_it(catalogue: Catalogue) -> None:
    with pytest.raises(KeyError, match=re.escape("'9.999999'")):
        catalogue.by_code("9.999999")


def test_ministry_portals_are_told_apart_from_the_others() -> None:
    assert Portal.MINISTRY_PUBLIC_SECURITY.is_ministry
    assert not Portal.UTILITY_POWER.is_ministry
    assert Portal.UTILITY_POWER.via_national_portal
    assert not Portal.CITY_PORTAL.via_national_portal


def test_packaged_file_loads_through_an_explicit_path_too() -> None:
    assert load_catalogue(PACKAGED) == load_catalogue()


def _add_one_more(entries: list[dict[str, Any]]) -> None:
    """Append procedure N + 1, a plain one settled by the Ministry of Justice."""
    number = len(entries) + 1
    entries.append(
        {
            **entries[21],  # procedure 22, the criminal-record certificate
            "number": number,
            "code": f"HN.P06.{number:02d}",
            "code_is_local": True,
            "name_vi": "Thủ tục thử nghiệm",
            "name_en": "A trial procedure",
        }
    )


def _drop_13(entries: list[dict[str, Any]]) -> None:
    del entries[12]


def _skip_a_number_at_the_end(entries: list[dict[str, Any]]) -> None:
    _add_one_more(entries)
    entries[-1]["number"] += 1
    entries[-1]["code"] = f"HN.P06.{entries[-1]['number']:02d}"


COUNT = len(_packaged_entries())  # how many procedures the data holds (25 published)


def _duplicate_code(entries: list[dict[str, Any]]) -> None:
    entries[7]["code"], entries[7]["code_is_local"] = "1.001193", False


def _bad_settled_by(entries: list[dict[str, Any]]) -> None:
    entries[6]["settled_by"] = "ministry.magic"


def _missing_name(entries: list[dict[str, Any]]) -> None:
    del entries[3]["name_en"]


def _blank_name(entries: list[dict[str, Any]]) -> None:
    entries[4]["name_vi"] = "   "


def _steps_on_a_plain_procedure(entries: list[dict[str, Any]]) -> None:
    entries[3]["linked_steps"] = entries[14]["linked_steps"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            _drop_13,
            f"field 'procedures': {COUNT - 1} entries must be numbered 1 to {COUNT - 1} "
            "(missing 13;",
        ),
        (
            _skip_a_number_at_the_end,
            f"field 'procedures': {COUNT + 1} entries must be numbered 1 to {COUNT + 1} "
            f"(missing {COUNT + 1}; beyond {COUNT + 1}: {COUNT + 2})",
        ),
        (_duplicate_code, "entry 9 (1.001193): field 'code': '1.001193' is also used by entry 8"),
        (_bad_settled_by, "entry 7 (HN.P06.07): field 'settled_by': Input should be"),
        (_missing_name, "entry 4 (1.004194): field 'name_en': Field required"),
        (_blank_name, "entry 5 (1.003677): field 'name_vi': String should have at least 1"),
        (_steps_on_a_plain_procedure, "entry 4 (1.004194): field 'linked_steps': only groups"),
    ],
)
def test_broken_catalogue_file_fails_naming_entry_and_field(
    tmp_path: Path, change: Callable[[list[dict[str, Any]]], None], expected: str
) -> None:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(_write_modified(tmp_path, change))
    assert f"catalogue.json: {expected}" in str(caught.value)


def test_file_that_is_not_json_fails_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text('{"procedures": [\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match="not valid JSON at line 2"):
        load_catalogue(path)


def test_override_moves_a_procedure_to_another_portal(catalogue: Catalogue) -> None:
    moved = catalogue.with_overrides({"HN.P06.20": Portal.MINISTRY_PUBLIC_SECURITY})
    assert moved.by_code("HN.P06.20").settled_by is Portal.MINISTRY_PUBLIC_SECURITY
    assert catalogue.by_code("HN.P06.20").settled_by is Portal.MINISTRY_TRANSPORT


def test_moving_a_procedure_moves_the_linked_step_that_names_it(catalogue: Catalogue) -> None:
    moved = catalogue.with_overrides({"1.001193": "national_portal"})
    assert moved.by_number(15).linked_steps[0].settled_by is Portal.NATIONAL_PORTAL


def test_overridden_catalogue_may_break_the_default_routing(catalogue: Catalogue) -> None:
    moved = catalogue.with_overrides({"1.001193": "national_portal"})
    with pytest.raises(CatalogueError, match="exactly 9, 10, 11 settle on the city portal"):
        check_default_routing(moved)


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"9.999999": "city_portal"}, "no procedure has code '9.999999'"),
        ({"1.001193": "ministry.magic"}, "'ministry.magic' is not a valid Portal"),
    ],
)
def test_override_with_unknown_code_or_portal_fails(
    catalogue: Catalogue, overrides: dict[str, str], fragment: str
) -> None:
    with pytest.raises(CatalogueError, match=re.escape(fragment)):
        catalogue.with_overrides(overrides)


def _local_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Keep `catalogue` a subcommand, as in `portalsim`."""

    app.command("catalogue")(catalogue_command)
    return app


def test_catalogue_command_json_lists_every_procedure() -> None:
    result = CliRunner().invoke(_local_app(), ["catalogue", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["procedures"]) == len(_packaged_entries())
    assert data["procedures"][8]["name_vi"] == "Đăng ký khai sinh"


def test_catalogue_command_table_marks_local_codes() -> None:
    result = CliRunner().invoke(_local_app(), ["catalogue"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "HN.P06.07*" in result.stdout
    assert "local code" in result.stdout


def test_portalsim_catalogue_json_lists_every_procedure() -> None:
    from simulator.cli import app

    result = CliRunner().invoke(app, ["catalogue", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["procedures"]) == len(_packaged_entries())


def test_catalogue_command_reports_a_broken_catalogue_and_exits_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> Catalogue:
        raise CatalogueError(["catalogue.json: entry 7 (HN.P06.07): field 'settled_by': bad"])

    monkeypatch.setattr("simulator.commands.catalogue.load_catalogue", broken)
    result = CliRunner().invoke(_local_app(), ["catalogue"])
    assert result.exit_code == 1
    assert "entry 7 (HN.P06.07): field 'settled_by'" in result.stderr
