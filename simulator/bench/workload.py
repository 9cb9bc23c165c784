"""The benchmark's workload: N online submissions of the hanoi-day mix, ready to inject.

Demand comes from the built-in hanoi-day scenario (its procedure shares and data-quality
errors) with every dossier online, spread over as many simulated working days as keep
each unit's daily codes well inside the online block (`SEQUENCE_BLOCKS`). Each workload
has its own name, so its dossier ids never collide with another workload's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from contracts.catalogue import Portal, load_catalogue
from contracts.signing import Signer
from services.kit import OutboxRecord
from simulator.drive.inject import submission_records
from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.demand import DemandItem, generate_demand
from simulator.scenarios.scenario import BUILT_IN_DIR, load_scenario

__all__ = ["PATHS", "Workload", "bench_demand", "build_workload", "path_of"]

#: Dossiers per simulated day: about 1,100 for the busiest district, far below 5,999.
PER_DAY = 20_000
PATHS = ("city", "national", "ministry", "linked")
_LINKED = frozenset(p.code for p in load_catalogue().procedures if p.linked_steps)


@dataclass(frozen=True)
class Workload:
    """Injectable submission records and what each dossier is."""

    name: str
    records: list[OutboxRecord]
    procedures: dict[str, str]  # dossier id -> procedure code
    last_day: date

    def next_start(self) -> date:
        """A first day for another workload whose dossier codes cannot collide with these."""
        return self.last_day + timedelta(days=7)

    @property
    def dossier_ids(self) -> list[str]:
        """The dossier ids, in injection order."""
        return [r.key.decode() for r in self.records if r.key]

    def mean_size(self) -> float:
        """Mean size of a submission record's value in bytes."""
        return sum(len(r.value) for r in self.records) / max(len(self.records), 1)


def path_of(procedure_code: str, settled_by: str) -> str:
    """The path a dossier took: linked group, or the kind of portal that settled it."""
    if procedure_code in _LINKED:
        return "linked"
    if settled_by == Portal.CITY_PORTAL:
        return "city"
    if settled_by == Portal.NATIONAL_PORTAL:
        return "national"
    return "ministry"


def bench_demand(count: int, pool: ApplicantPool, name: str, start: date) -> list[DemandItem]:
    """`count` online demand items of the hanoi-day mix (and a few more), from `start` on."""
    base = load_scenario(BUILT_IN_DIR / "hanoi-day.yaml")
    daily = sum(d.daily for d in base.demand.procedures.values())
    days = max(1, math.ceil(count / PER_DAY))
    scale = count / (days * daily) * 1.03 + 0.001
    while True:
        scenario = base.model_copy(
            update={
                "name": name,
                "start_date": start,
                "days": days,
                "population_size": max(pool.size, 1_000),
                "demand": base.demand.model_copy(update={"scale": scale, "online_share": 1.0}),
            }
        )
        items = generate_demand(scenario, pool)
        if len(items) >= count:
            break
        scale *= 1.05
    return items


def build_workload(
    count: int,
    pool: ApplicantPool,
    name: str,
    start: date = date(2026, 3, 2),
    signer: Signer | None = None,
    trace_ratio: float = 0.0,
) -> Workload:
    """`count` online dossiers of the hanoi-day mix, first arriving on `start` (signed by
    `signer` when given; the dossiers sampled at `trace_ratio` traced)."""
    items = bench_demand(count, pool, name, start)
    records = submission_records(items[:count], signer, trace_ratio)
    procedures = {
        r.key.decode(): item.procedure_code
        for r, item in zip(records, items, strict=False)
        if r.key
    }
    last_day = items[-1].simtime.date() if items else start
    return Workload(name, records, procedures, last_day)
