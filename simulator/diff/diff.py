"""Comparing two runs' outcomes dossier by dossier.

Dossiers are matched by id (ids derive from the inputs' client_ref, so a replay gives
the same ids). Event ids, wall times, offsets, partitions, causation ids and dossier
codes (allocated in arrival order) are not compared; see `COMPARED_FIELDS`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from simulator.diff.outcomes import COMPARED_FIELDS, DossierOutcome

__all__ = ["DossierDiff", "LogDiff", "diff_outcomes"]

KINDS = ("same", "changed", "only_in_a", "only_in_b")


@dataclass(frozen=True)
class DossierDiff:
    """One dossier that differs: changed fields (name -> (A, B)), or present in one log only."""

    dossier_id: str
    procedure_code: str | None
    kind: str
    parent_dossier_id: str | None = None
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    outcome: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        """Plain JSON: the changed fields as {"a": ..., "b": ...}."""
        result: dict[str, Any] = {
            "dossier_id": self.dossier_id,
            "procedure_code": self.procedure_code,
            "parent_dossier_id": self.parent_dossier_id,
            "kind": self.kind,
        }
        if self.fields:
            result["fields"] = {k: {"a": a, "b": b} for k, (a, b) in self.fields.items()}
        if self.outcome is not None:
            result["outcome"] = self.outcome
        return result


@dataclass
class LogDiff:
    """The comparison of two logs."""

    a: str
    b: str
    differences: list[DossierDiff]
    by_procedure: dict[str, Counter[str]]
    compared: int
    signatures: dict[str, Any] = field(default_factory=dict)  # log -> its signature check

    @property
    def forged(self) -> int:
        """Records of either log left out as forged or unsigned."""
        return sum(int(check.get("forged", 0)) for check in self.signatures.values())

    @property
    def identical(self) -> bool:
        """True when no dossier differs."""
        return not self.differences

    def totals(self) -> Counter[str]:
        """Dossiers by kind (same, changed, only_in_a, only_in_b)."""
        total: Counter[str] = Counter({kind: 0 for kind in KINDS})
        for counts in self.by_procedure.values():
            total.update(counts)
        return total

    def as_json(self) -> dict[str, Any]:
        """The whole diff as plain JSON (what `--json` writes)."""
        return {
            "a": self.a,
            "b": self.b,
            "identical": self.identical,
            "compared_fields": list(COMPARED_FIELDS),
            "totals": dict(self.totals()),
            "by_procedure": {
                code: {kind: counts.get(kind, 0) for kind in KINDS}
                for code, counts in sorted(self.by_procedure.items())
            },
            "differences": [d.as_json() for d in self.differences],
            "signatures": self.signatures,
        }


def _changed(a: DossierOutcome, b: DossierOutcome) -> dict[str, tuple[Any, Any]]:
    left, right = a.compared(), b.compared()
    return {
        name: (left[name], right[name]) for name in COMPARED_FIELDS if left[name] != right[name]
    }


def diff_outcomes(
    a: dict[str, DossierOutcome],
    b: dict[str, DossierOutcome],
    *,
    a_name: str = "A",
    b_name: str = "B",
    roots: Iterable[str] | None = None,
) -> LogDiff:
    """Compare A and B; with `roots`, only dossiers of those root dossiers (and their steps)."""
    wanted = set(roots) if roots is not None else None

    def keep(outcome: DossierOutcome) -> bool:
        return wanted is None or outcome.root_id in wanted

    ids = sorted({d for d, o in a.items() if keep(o)} | {d for d, o in b.items() if keep(o)})
    differences: list[DossierDiff] = []
    by_procedure: dict[str, Counter[str]] = {}
    for dossier_id in ids:
        left, right = a.get(dossier_id), b.get(dossier_id)
        either = left or right
        assert either is not None
        code = either.procedure_code or (right.procedure_code if right else None) or "?"
        if left is None or right is None:
            kind = "only_in_b" if left is None else "only_in_a"
            diff = DossierDiff(
                dossier_id, code, kind, either.parent_dossier_id, outcome=either.as_json()
            )
        else:
            changed = _changed(left, right)
            kind = "changed" if changed else "same"
            diff = DossierDiff(dossier_id, code, kind, left.parent_dossier_id, changed)
        by_procedure.setdefault(code, Counter())[kind] += 1
        if kind != "same":
            differences.append(diff)
    return LogDiff(a_name, b_name, differences, by_procedure, len(ids))
