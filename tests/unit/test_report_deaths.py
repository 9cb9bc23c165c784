"""The report on deaths and restarts: what died, when, how long, and the dossiers held up."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.drive.observations import Observations
from simulator.report.deaths import deaths_section, supervision_block
from simulator.system.restarts import Death, RestartMode, RestartPolicy, Supervision
from tests.observed import observed_settlement, observed_submission

RESIDENCE, START_MS = "1.004222", 1_000_000
DIED_MS, BACK_MS = START_MS + 1000, START_MS + 3000


def death(up: bool = True) -> Death:
    """national_portal killed 1 s into the run, answering again at 3 s (when `up`)."""
    return Death(
        "national_portal",
        4242,
        -9,
        at_wall_s=1.0,
        at_ms=DIED_MS,
        restarted_at_wall_s=1.5 if up else None,
        up_at_wall_s=3.0 if up else None,
        up_at_ms=BACK_MS if up else None,
    )


@pytest.fixture
def observed() -> Observations:
    """Five dossiers around the death: (submitted, settled) in ms after the start."""
    seen = Observations(wall_start_ms=START_MS)
    dossiers = {
        "early": (100, 500),  # settled before the death
        "waiting": (500, 3500),  # open when it died, settled after its return
        "during": (2000, 3200),  # submitted while it was down, settled after its return
        "meanwhile": (500, 2000),  # open when it died, settled while it was down
        "stuck": (800, None),  # open when it died, never settled, last status by it
    }
    for dossier_id, (submitted, settled) in dossiers.items():
        seen.accepted[dossier_id] = f"00101-260302-{dossier_id}"
        seen.submissions[dossier_id] = observed_submission(
            dossier_id, RESIDENCE, START_MS + submitted
        )
        if settled is not None:
            settlement = observed_settlement(
                dossier_id, RESIDENCE, "ministry.public_security", START_MS + settled
            )
            seen.settlements[dossier_id] = {settlement.event_id: settlement}
    seen.last_status["stuck"] = ("routed", "national_portal")
    return seen


def block(observed: Observations, *deaths: Death, **kw: Any) -> dict[str, Any]:
    supervision = Supervision(RestartPolicy(), list(deaths), restarts=len(deaths), **kw)
    result = supervision_block(observed, supervision)
    assert result is not None
    return result


def held_up(observed: Observations) -> dict[str, Any]:
    held: dict[str, Any] = block(observed, death())["deaths"][0]["held_up"]
    return held


def test_a_death_counts_the_dossiers_open_when_it_died(observed: Observations) -> None:
    assert held_up(observed)["open_when_it_died"] == 3


def test_a_death_counts_the_dossiers_that_settled_only_after_the_service_was_back(
    observed: Observations,
) -> None:
    held = held_up(observed)
    assert held["settled_after_it_was_back"] == 2
    assert held["examples"] == ["00101-260302-waiting", "00101-260302-during"]


def test_a_death_counts_the_never_settled_dossiers_whose_last_status_was_by_it(
    observed: Observations,
) -> None:
    assert held_up(observed)["never_settled_last_status_by_it"] == 1


def test_the_supervision_block_lists_each_death_and_the_restarts(observed: Observations) -> None:
    result = block(observed, death())
    assert result["restarts"] == 1
    assert result["gave_up"] is None
    [listed] = result["deaths"]
    assert (listed["service"], listed["exit"]) == ("national_portal", "SIGKILL")
    assert listed["down_s"] == 2.0


def test_the_report_section_names_the_dead_service_its_exit_and_its_downtime(
    observed: Observations,
) -> None:
    text = "\n".join(deaths_section({"supervision": block(observed, death())}))
    assert "## Service deaths and restarts" in text
    assert "| national_portal | SIGKILL | 4242 | 1.0 s | 3.0 s | 2.0 s | 3 | 2 | 1 |" in text


def test_the_report_section_says_which_service_was_not_restarted(observed: Observations) -> None:
    lost = death(up=False)
    supervision = Supervision(RestartPolicy(RestartMode.NO), [lost], 0, lost, "--restart no")
    section = deaths_section({"supervision": supervision_block(observed, supervision)})
    assert any("**national_portal was not restarted** (--restart no)" in line for line in section)


def test_a_run_with_no_death_says_so(observed: Observations) -> None:
    section = deaths_section({"supervision": block(observed)})
    assert any(line.startswith("No service died during the run") for line in section)


def test_a_run_against_a_deployment_has_no_section(observed: Observations) -> None:
    assert supervision_block(observed, None) is None
    assert deaths_section({"supervision": None}) == []
