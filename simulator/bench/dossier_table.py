"""The benchmark's per-dossier bookkeeping in arrays, not in an object per dossier.

At N = 200,000 the bench process kept three copies of every dossier id (the workload's,
the injection's, the watcher's) and an object per settlement: about 425 bytes a dossier
(tracemalloc), a third of the process's peak. Here every table of a run shares one
`DossierIndex` (the id strings are the workload's own, held once) and keeps its values in
typed arrays indexed by the dossier's position: about 90 bytes a dossier.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

__all__ = ["DossierIndex", "Settled", "Settlements", "TimesByDossier"]


class DossierIndex:
    """Each dossier id's position, in the order the ids became known."""

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._position: dict[str, int] = {}
        self.add(ids)

    def add(self, ids: Iterable[str]) -> None:
        """Known from now on (an id known already keeps its position)."""
        for dossier_id in ids:
            self._position.setdefault(dossier_id, len(self._position))

    def position(self, dossier_id: str, add: bool = False) -> int | None:
        """Its position; None when unknown (`add`: made known)."""
        found = self._position.get(dossier_id)
        if found is None and add:
            found = self._position[dossier_id] = len(self._position)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)


class _Column:
    """A typed array that grows to cover every position asked for (0 = no value)."""

    def __init__(self, typecode: str) -> None:
        self.values = array(typecode)

    def get(self, position: int) -> int:
        return self.values[position] if position < len(self.values) else 0

    def put(self, position: int, value: int) -> None:
        missing = position + 1 - len(self.values)
        if missing > 0:
            self.values.extend([0] * missing)
        self.values[position] = value


class TimesByDossier(Mapping[str, int]):
    """A time (ms since the epoch) per dossier, for the dossiers that have one."""

    def __init__(self, index: DossierIndex) -> None:
        self.index = index
        self._ms = _Column("q")
        self._count = 0

    def put(self, dossier_id: str, ms: int) -> None:
        """Its time (the dossier becomes known to the index if it was not)."""
        position = self.index.position(dossier_id, add=True)
        assert position is not None
        self._count += self._ms.get(position) == 0
        self._ms.put(position, ms)

    def __getitem__(self, dossier_id: str) -> int:
        position = self.index.position(dossier_id)
        ms = 0 if position is None else self._ms.get(position)
        if ms == 0:
            raise KeyError(dossier_id)
        return ms

    def __iter__(self) -> Iterator[str]:
        return (d for d in self.index if d in self)

    def __len__(self) -> int:
        return self._count


@dataclass(frozen=True, slots=True)
class Settled:
    """The first settlement seen of a dossier."""

    timestamp_ms: int
    settled_by: str
    outcome: str


class Settlements(Mapping[str, Settled]):
    """The first settlement of each dossier: when, by which portal, with which outcome
    (names kept once, as small codes)."""

    def __init__(self, index: DossierIndex) -> None:
        self.times = TimesByDossier(index)
        self._names: list[str] = [""]
        self._codes: dict[str, int] = {}
        self._by = _Column("H")
        self._outcome = _Column("H")

    def _code(self, name: str) -> int:
        code = self._codes.get(name)
        if code is None:
            code = self._codes[name] = len(self._names)
            self._names.append(name)
        return code

    def put(self, dossier_id: str, settled: Settled) -> None:
        """Its settlement (the dossier becomes known to the index if it was not)."""
        self.times.put(dossier_id, settled.timestamp_ms)
        position = self.times.index.position(dossier_id)
        assert position is not None
        self._by.put(position, self._code(settled.settled_by))
        self._outcome.put(position, self._code(settled.outcome))

    def __getitem__(self, dossier_id: str) -> Settled:
        ms = self.times[dossier_id]
        position = self.times.index.position(dossier_id)
        assert position is not None
        by, outcome = self._by.get(position), self._outcome.get(position)
        return Settled(ms, self._names[by], self._names[outcome])

    def __contains__(self, dossier_id: object) -> bool:
        return dossier_id in self.times

    def __iter__(self) -> Iterator[str]:
        return iter(self.times)

    def __len__(self) -> int:
        return len(self.times)
