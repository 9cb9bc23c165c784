"""No personal data in any log of a run at DEBUG: every service's and the CLI's lines masked."""

from __future__ import annotations

import pytest

from tests.logscan import MASKED_ID_NUMBER, DebugRun, People, find_unmasked

pytestmark = pytest.mark.slow

SERVICE_LOGS = ("city_portal.log", "population_db.log", "national_portal.log", "one_stop.log")


def test_a_debug_run_exits_cleanly(small_debug_run: DebugRun) -> None:
    assert small_debug_run.returncode == 0, small_debug_run.logs["cli stderr"][-3000:]


def test_no_log_of_a_debug_run_holds_an_id_number_or_a_name_unmasked(
    small_debug_run: DebugRun, small_scenario_people: People
) -> None:
    findings = {
        origin: found[:10]
        for origin, text in small_debug_run.logs.items()
        if (found := find_unmasked(text, small_scenario_people))
    }
    assert findings == {}


@pytest.mark.parametrize("origin", [*SERVICE_LOGS, "cli stderr"])
def test_each_process_logged_personal_data_at_debug_and_masked_it(
    small_debug_run: DebugRun, origin: str
) -> None:
    text = small_debug_run.logs[origin]
    assert '"level": "debug"' in text
    assert MASKED_ID_NUMBER.search(text), f"{origin}: no masked ID number, nothing was scanned"
