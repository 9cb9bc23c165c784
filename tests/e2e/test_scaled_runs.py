"""`portalsim run --store postgresql --replicas ...`: several processes per service in one
consumer group, sharing their state in PostgreSQL, end to end as a user would run it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contracts.catalogue import load_catalogue
from simulator.eventlog import EventLogReader
from tests.e2e.test_scenario_runs import HERE, run

pytestmark = pytest.mark.slow

REPLICAS = "national_portal=3,city_portal=2,population_db=2,one_stop=2"


@pytest.fixture(scope="module")
def scaled_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("scaled-run")
    scenario = HERE / "small-scenario.yaml"
    code, summary = run(
        scenario,
        out,
        "--store",
        "postgresql",
        "--replicas",
        REPLICAS,
        "--record",
        str(out / "run.log"),
    )
    return code, summary, out


def test_a_scaled_run_on_postgresql_exits_cleanly_with_nothing_stranded_lost_or_duplicated(
    scaled_run: tuple[int, dict[str, Any], Path],
) -> None:
    code, summary, _ = scaled_run
    conservation = summary["conservation"]
    assert code == 0, summary.get("unfinished_dossiers", [])[:10]
    assert conservation["submitted"] > 100
    assert (conservation["unfinished"], conservation["lost"], conservation["duplicated"]) == (
        0,
        0,
        0,
    )
    assert conservation["holds"] is True


def test_every_linked_group_of_a_scaled_run_is_settled(
    scaled_run: tuple[int, dict[str, Any], Path],
) -> None:
    linked = {p.code for p in load_catalogue().procedures if p.linked_steps}
    rows = scaled_run[1]["procedures"].items()
    parents = {code: row for code, row in rows if code in linked and row["submitted"] > 0}
    assert parents, "the small scenario hands in linked dossiers"
    for code, row in parents.items():
        assert row["approved"] + row["rejected"] == row["submitted"], (code, row)


def test_every_replica_ran_and_logged(scaled_run: tuple[int, dict[str, Any], Path]) -> None:
    logs = {path.name for path in (scaled_run[2] / "logs").glob("*.log")}
    assert {"national_portal.log", "national_portal-2.log", "national_portal-3.log"} <= logs
    assert {"city_portal.log", "city_portal-2.log", "one_stop-2.log", "population_db-2.log"} <= logs
    sources = {
        str((record.value or {}).get("source"))
        for record in EventLogReader(scaled_run[2] / "run.log")
    }
    assert "/portalsim/national_portal" in sources
