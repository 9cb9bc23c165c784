"""Constants of the test system shared by the e2e and fault tests."""

from __future__ import annotations

from datetime import datetime

from contracts.worktime import HANOI_TZ

POPULATION_SIZE = 3000
POPULATION_SEED = 6
START = datetime(2026, 3, 2, 9, 0, tzinfo=HANOI_TZ)  # a Monday
CLUSTER_SETTINGS = {
    "population_db": {"population_size": str(POPULATION_SIZE), "population_seed": "6"},
    "national_portal": {"rejection_rate": "0"},
    "one_stop": {"scan_failure_rate": "0"},
    "city_portal": {"account_check_wait_seconds": "15"},
}
