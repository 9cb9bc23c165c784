"""The benchmark's workload: N online submissions of the hanoi-day mix, streamed to inject.

Demand comes from the built-in hanoi-day scenario (its procedure shares and data-quality
errors) with every dossier online, spread over as many simulated working days as keep
each unit's daily codes well inside the online block (`SEQUENCE_BLOCKS`). Each workload
has its own name, so its dossier ids never collide with another workload's.

The synthetic population (a million people) and the demand drawn from it are big; they
live in a worker process (`WorkloadMaker`), which writes each workload's signed records to
a file in chunks. The benchmark process keeps only the dossier ids and reads the records
back a chunk at a time while injecting, so its memory stays flat whatever N is.
"""

from __future__ import annotations

import math
import pickle
import tempfile
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from contracts.catalogue import Portal, load_catalogue
from contracts.signing import Signer
from services.kit import OutboxRecord
from simulator.bench.host import peak_rss_mb
from simulator.drive.inject import submission_records
from simulator.scenarios.applicants import ApplicantPool
from simulator.scenarios.demand import DemandItem, generate_demand
from simulator.scenarios.scenario import BUILT_IN_DIR, load_scenario

__all__ = ["PATHS", "Workload", "WorkloadMaker", "bench_demand", "path_of"]

#: Dossiers per simulated day: about 1,100 for the busiest district, far below 5,999.
PER_DAY = 20_000
PATHS = ("city", "national", "ministry", "linked")
_LINKED = frozenset(p.code for p in load_catalogue().procedures if p.linked_steps)
#: Records written (and read back) per chunk; the records signed together.
CHUNK = 2_000
#: Record values kept to measure signing and verifying on.
SAMPLE = 2_000


@dataclass(frozen=True)
class Workload:
    """Injectable submission records (in a file) and what the benchmark needs of them."""

    name: str
    path: Path
    dossier_ids: list[str]  # in injection order
    linked: dict[str, str]  # dossier id -> procedure code, for the linked procedures only
    last_day: date
    sample: list[bytes]  # the first record values (the signing measurement)

    def next_start(self) -> date:
        """A first day for another workload whose dossier codes cannot collide with these."""
        return self.last_day + timedelta(days=7)

    def records(self) -> Iterator[OutboxRecord]:
        """The records, in injection order, read a chunk at a time."""
        with self.path.open("rb") as chunks:
            while True:
                try:
                    chunk: list[OutboxRecord] = pickle.load(chunks)
                except EOFError:
                    return
                yield from chunk


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


# -- the worker process ------------------------------------------------------------------
_POOL: list[ApplicantPool] = []  # the worker's population, made once


def _pool(population: int, today: date) -> ApplicantPool:
    if not _POOL:
        _POOL.append(ApplicantPool(population, 6, today))
    return _POOL[0]


def _warm(population: int, today: date) -> None:
    _pool(population, today)


def _write_workload(
    count: int,
    population: int,
    today: date,
    name: str,
    start: date,
    signer_key: tuple[str, bytes] | None,
    folder: str,
    trace_ratio: float = 0.0,
) -> dict[str, Any]:
    """In the worker: write `count` records in chunks; what the benchmark keeps of them."""
    signer = None
    if signer_key is not None:
        key = serialization.load_pem_private_key(signer_key[1], password=None)
        signer = Signer(signer_key[0], key)  # type: ignore[arg-type]  # an Ed25519 key
    items = bench_demand(count, _pool(population, today), name, start)[:count]
    path = Path(tempfile.mkstemp(prefix=f"{name}-", suffix=".records", dir=folder)[1])
    ids: list[str] = []
    linked: dict[str, str] = {}
    sample: list[bytes] = []
    sequences: Counter[tuple[str, str]] = Counter()  # dossier codes, across the chunks
    with path.open("wb") as out:
        for first in range(0, len(items), CHUNK):
            chunk = items[first : first + CHUNK]
            records = submission_records(chunk, signer, trace_ratio, sequences)
            pickle.dump(records, out, protocol=pickle.HIGHEST_PROTOCOL)
            for record, item in zip(records, chunk, strict=True):
                dossier_id = (record.key or b"").decode()
                ids.append(dossier_id)
                if item.procedure_code in _LINKED:
                    linked[dossier_id] = item.procedure_code
                if len(sample) < SAMPLE:
                    sample.append(record.value)
    last_day = items[-1].simtime.date() if items else start
    return {"path": str(path), "ids": ids, "linked": linked, "last_day": last_day, "sample": sample}


def _http_items(
    count: int, population: int, today: date, name: str, start: date
) -> list[DemandItem]:
    """In the worker: the demand items of the HTTP run."""
    return bench_demand(count, _pool(population, today), name, start)[:count]


def _peak_rss_mb() -> float:
    return peak_rss_mb()


class WorkloadMaker:
    """A worker process holding the synthetic population; it makes the workloads."""

    def __init__(self, population: int, today: date) -> None:
        self.population, self.today = population, today
        self._folder = tempfile.TemporaryDirectory(prefix="portalsim-bench-")
        self._worker = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
        self._worker.submit(_warm, population, today)  # made while the system starts

    def peak_rss_mb(self) -> float:
        """The worker process's peak resident memory so far (MB)."""
        return float(self._worker.submit(_peak_rss_mb).result())

    def workload(
        self,
        count: int,
        name: str,
        start: date,
        signer: Signer | None,
        trace_ratio: float = 0.0,
    ) -> Workload:
        """`count` online dossiers of the hanoi-day mix, first arriving on `start` (signed
        by `signer` when given; the dossiers sampled at `trace_ratio` traced)."""
        signer_key = None
        if signer is not None:
            pem = signer.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            signer_key = (signer.name, pem)
        made = self._worker.submit(
            _write_workload,
            count,
            self.population,
            self.today,
            name,
            start,
            signer_key,
            self._folder.name,
            trace_ratio,
        ).result()
        return Workload(
            name, Path(made["path"]), made["ids"], made["linked"], made["last_day"], made["sample"]
        )

    def http_items(self, count: int, name: str, start: date) -> list[DemandItem]:
        """`count` online demand items for the HTTP run."""
        return self._worker.submit(
            _http_items, count, self.population, self.today, name, start
        ).result()

    def close(self) -> None:
        """Stop the worker and delete the workloads' files."""
        self._worker.shutdown()
        self._folder.cleanup()
