"""The population database's store (SQLite or PostgreSQL): people, applied changes, seed metadata.

Every method runs on the store's worker thread. ``people`` is keyed by ID number
(``WITHOUT ROWID``, so an identity check is one primary-key lookup). The synthetic
population is seeded once per size, seed and generator version, recorded in
``population_meta``; a restart with the same ones keeps the file as it is.
"""

from __future__ import annotations

import contextlib
import ctypes
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import islice

from contracts.people import PersonFacts
from services.kit.store import ServiceStore
from synthetic_population import GENERATOR_VERSION, PersonRow, facts_from_row, iter_rows

__all__ = ["PopulationStats", "PopulationStore", "SeedReport"]

_PEOPLE_TABLE = """
CREATE TABLE IF NOT EXISTS people (
    id_number TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL,
    alive INTEGER NOT NULL,
    marital_status TEXT NOT NULL,
    spouse_id_number TEXT,
    residence_unit TEXT NOT NULL
) WITHOUT ROWID;
"""
_COLUMNS = (
    "id_number, full_name, birth_date, sex, alive, marital_status, spouse_id_number, residence_unit"
)
_INSERT = f"INSERT INTO people ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
_UPSERT = (
    _INSERT
    + " ON CONFLICT (id_number) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS.split(", ")[1:])
)
_SEED_CHUNK = 50_000


@dataclass(frozen=True)
class SeedReport:
    """What :meth:`PopulationStore.ensure_seeded` did."""

    seeded: bool
    size: int
    seed: int
    seconds: float


@dataclass(frozen=True)
class PopulationStats:
    """Counts over the whole population database."""

    people: int
    alive: int
    deceased: int
    married: int
    seeded_size: int | None
    seed: int | None


def _release_freed_memory() -> None:
    """Give the memory the seed freed back to the system (glibc keeps it otherwise)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _row_of(person: PersonFacts) -> PersonRow:
    return (
        person.id_number,
        person.full_name,
        person.birth_date.isoformat(),
        person.sex.value,
        int(person.alive),
        person.marital_status.value,
        person.spouse_id_number,
        person.residence_unit,
    )


class PopulationStore(ServiceStore):
    """People of the national population database (CSDL quốc gia về dân cư)."""

    SCHEMA = (
        _PEOPLE_TABLE
        + """
CREATE TABLE IF NOT EXISTS applied_changes (
    dossier_id TEXT NOT NULL,
    id_number TEXT NOT NULL,
    change TEXT NOT NULL,
    PRIMARY KEY (dossier_id, id_number)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS population_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""
    )

    # -- seeding ------------------------------------------------------------------
    def _meta(self) -> dict[str, str]:
        rows = self.db.execute("SELECT key, value FROM population_meta").fetchall()
        return {row["key"]: row["value"] for row in rows}

    def ensure_seeded(self, size: int, seed: int) -> SeedReport:
        """Seed the synthetic population unless this size, seed and generator are stored.

        A different size or seed drops the people (and the applied changes) and reseeds.
        One transaction, ``synchronous=OFF`` while it runs, rows in key order.
        """
        wanted = {"size": str(size), "seed": str(seed), "generator": str(GENERATOR_VERSION)}
        if self._meta() == wanted:
            return SeedReport(False, size, seed, 0.0)
        started = time.perf_counter()
        rows = iter_rows(size, seed, by_id_number=True)
        sqlite = not self.dialect.is_postgres
        if sqlite:
            self.db.execute("PRAGMA synchronous=OFF")
        try:
            with self.transaction():
                self.lock("seed")  # replicas starting together: one seeds, the others wait
                if self._meta() == wanted:
                    return SeedReport(False, size, seed, 0.0)
                self._replace_population(rows, wanted)
        finally:
            if sqlite:
                self.db.execute("PRAGMA synchronous=NORMAL")
        _release_freed_memory()
        return SeedReport(True, size, seed, time.perf_counter() - started)

    def _replace_population(self, rows: Iterable[PersonRow], meta: dict[str, str]) -> None:
        self.db.execute("DROP TABLE IF EXISTS people")
        self.db.execute(self.dialect.ddl(_PEOPLE_TABLE))
        self.db.execute("DELETE FROM applied_changes")
        self.db.execute("DELETE FROM population_meta")
        if self.dialect.is_postgres:  # COPY: the fast way in
            self.db.copy_rows("people", _COLUMNS.split(", "), rows)
        else:
            iterator = iter(rows)
            while chunk := list(islice(iterator, _SEED_CHUNK)):
                self.db.executemany(_INSERT, chunk)
        self.db.executemany(
            "INSERT INTO population_meta (key, value) VALUES (?, ?)", sorted(meta.items())
        )

    # -- reads --------------------------------------------------------------------
    def person(self, id_number: str) -> PersonFacts | None:
        """The record under this ID number, or None (one primary-key lookup)."""
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM people WHERE id_number = ?", (id_number,)
        ).fetchone()
        return None if row is None else facts_from_row(tuple(row))

    def seeded_birth_dates(self) -> list[tuple[str, date]]:
        """(ID number, birth date) of every seeded person (not those born in a run)."""
        rows = self.db.execute(
            "SELECT id_number, birth_date FROM people WHERE id_number NOT IN "
            "(SELECT id_number FROM applied_changes WHERE change = 'born')"
        ).fetchall()
        return [(row[0], date.fromisoformat(row[1])) for row in rows]

    def person_for_update(self, id_number: str) -> PersonFacts | None:
        """The record under this ID number, locked until the transaction ends: two
        replicas applying changes to one person (a marriage and a death) take turns."""
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM people WHERE id_number = ?" + self.dialect.for_update,
            (id_number,),
        ).fetchone()
        return None if row is None else facts_from_row(tuple(row))

    def changed_by(self, dossier_id: str, change: str) -> list[str]:
        """ID numbers a dossier's settlement already changed with this change kind."""
        rows = self.db.execute(
            "SELECT id_number FROM applied_changes WHERE dossier_id = ? AND change = ? "
            "ORDER BY id_number",
            (dossier_id, change),
        ).fetchall()
        return [row["id_number"] for row in rows]

    def stats(self) -> PopulationStats:
        """Population size, living, deceased and married counts, and the seed used."""
        row = self.db.execute(
            "SELECT COUNT(*) AS people, CAST(COALESCE(SUM(alive), 0) AS INTEGER) AS alive, "
            "CAST(COALESCE(SUM(CASE WHEN marital_status = 'married' THEN 1 ELSE 0 END), 0)"
            " AS INTEGER) AS married FROM people"
        ).fetchone()
        meta = self._meta()
        return PopulationStats(
            people=row["people"],
            alive=row["alive"],
            deceased=row["people"] - row["alive"],
            married=row["married"],
            seeded_size=int(meta["size"]) if "size" in meta else None,
            seed=int(meta["seed"]) if "seed" in meta else None,
        )

    # -- writes (inside the consumer's transaction) ----------------------------------
    def save_people(self, people: Iterable[PersonFacts]) -> None:
        """Insert or replace these records."""
        self.db.executemany(_UPSERT, [_row_of(p) for p in people])

    def record_change(self, dossier_id: str, id_number: str, change: str) -> None:
        """Remember that a dossier's settlement changed this record."""
        self.db.execute(
            "INSERT INTO applied_changes (dossier_id, id_number, change) "
            "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (dossier_id, id_number, change),
        )
