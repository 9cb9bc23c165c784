"""The benchmark's services and their population: settings, seeding, the restart check.

The services run with the hanoi-day policies and a population of the size asked for;
population_db logs at INFO, so its log tells when it seeded the population and when it
reused it (`seed_report`): restarted after the runs, it must answer from its file without
seeding again (`restart_population_db`).
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import replace
from typing import Any

from simulator.scenarios.scenario import BUILT_IN_DIR, load_scenario
from simulator.system.processes import ServiceCluster
from simulator.system.settings import SystemSettings, service_settings, with_values

__all__ = ["bench_settings", "restart_population_db", "seed_report"]


def bench_settings(population: int) -> SystemSettings:
    """The four services with the hanoi-day policies and a population of `population`."""
    scenario = load_scenario(BUILT_IN_DIR / "hanoi-day.yaml").model_copy(
        update={"population_size": population}
    )
    settings = service_settings(scenario, scenario.policies)
    # population_db logs its seed report; nothing per event
    return replace(settings, population_db=with_values(settings.population_db, log_level="INFO"))


def seed_report(cluster: ServiceCluster) -> dict[str, Any]:
    """What population_db's log says about its seeds (`population seeded` / `reused`)."""
    path = cluster["population_db"].log_path
    text = path.read_text(errors="replace") if path.exists() else ""
    seeded: list[float] = []
    reused = 0
    for line in text.splitlines():
        if '"population ' not in line:
            continue
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if entry.get("event") == "population seeded":
                seeded.append(float(entry.get("seconds", 0.0)))
            elif entry.get("event") == "population reused":
                reused += 1
    return {"seeds": len(seeded), "seed_seconds": seeded[0] if seeded else None, "reuses": reused}


def restart_population_db(cluster: ServiceCluster) -> dict[str, Any]:
    """Restart population_db: how long it took, and whether it seeded the population again."""
    service = cluster["population_db"]
    service.stop()
    started = time.monotonic()
    service.start()
    service.wait_healthy(300)
    seconds = time.monotonic() - started
    report = seed_report(cluster)
    return {"restart_seconds": round(seconds, 2), "reseeded_on_restart": report["seeds"] > 1}
