"""What a benchmark runs on: the broker, the four services, the machine it measures."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.kafka_local import LocalKafka
from simulator.scenarios.scenario import BUILT_IN_DIR, load_scenario
from simulator.system.processes import ServiceCluster
from simulator.system.settings import service_settings, with_values

__all__ = ["BrokerHandle", "bench_cluster", "local_or_given_broker", "machine", "seed_report"]


@dataclass(frozen=True)
class BrokerHandle:
    """The broker of a run: its address and, when it is ours, its process id."""

    bootstrap: str
    pid: int | None


@contextlib.contextmanager
def local_or_given_broker(bootstrap: str | None) -> Iterator[BrokerHandle]:
    """The given broker, or a fresh local one in a temporary folder, stopped afterwards."""
    if bootstrap:
        yield BrokerHandle(bootstrap, None)
        return
    data = Path(tempfile.mkdtemp(prefix="portalsim-bench-kafka-"))
    broker = LocalKafka(data)
    try:
        address = broker.start(timeout=180)
        status = broker.status()
        yield BrokerHandle(address, status.pid if status else None)
    finally:
        broker.stop()
        shutil.rmtree(data, ignore_errors=True)


def bench_cluster(
    bootstrap: str, data_root: Path, population: int, signed: bool = True
) -> ServiceCluster:
    """The four services with the hanoi-day policies and a population of `population`."""
    scenario = load_scenario(BUILT_IN_DIR / "hanoi-day.yaml").model_copy(
        update={"population_size": population}
    )
    settings = service_settings(scenario, scenario.policies).by_name()
    # its seed report; nothing per event
    settings["population_db"] = with_values(settings["population_db"], log_level="INFO")
    return ServiceCluster(bootstrap, data_root, settings=settings, signed=signed)


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


def machine() -> dict[str, Any]:
    """Cores, memory, load and software of the machine the figures come from."""
    memory_kb = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
