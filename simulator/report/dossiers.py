"""Root dossiers and linked steps of a run: counts, the conservation check, the exceptions.

A ROOT dossier is one the simulator got a 202 for (`Observations.accepted`); a linked
step is a dossier with a parent (procedures 15 and 16 chain steps under a root).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from contracts.catalogue import Catalogue
from simulator.drive.observations import Observations, Settlement, Submission
from simulator.report.stats import counter_dict, share

__all__ = ["LIST_LIMIT", "RootView", "dossier_counts", "root_views", "step_ids"]

#: At most this many dossiers are listed by id (unfinished, lost, duplicated).
LIST_LIMIT = 50


@dataclass(frozen=True)
class RootView:
    """What the run saw of one root dossier."""

    dossier_id: str
    dossier_code: str
    procedure_code: str | None
    channel: str | None
    submission: Submission | None
    settlement: Settlement | None
    settlement_events: int

    @property
    def outcome(self) -> str | None:
        """approved, rejected, or None while unfinished."""
        return self.settlement.outcome if self.settlement else None


def _canonical(catalogue: Catalogue, code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return catalogue.by_code(code).code
    except KeyError:
        return code


def root_views(observations: Observations, catalogue: Catalogue) -> list[RootView]:
    """One view per accepted dossier, in the order the simulator submitted them."""
    views = []
    for dossier_id, dossier_code in observations.accepted.items():
        submission = observations.submissions.get(dossier_id)
        settlement = observations.root_settlement(dossier_id)
        seen = settlement or submission
        views.append(
            RootView(
                dossier_id=dossier_id,
                dossier_code=dossier_code,
                procedure_code=_canonical(catalogue, seen.procedure_code if seen else None),
                channel=seen.channel if seen else None,
                submission=submission,
                settlement=settlement,
                settlement_events=len(observations.settlements.get(dossier_id, {})),
            )
        )
    return views


def step_ids(observations: Observations) -> list[str]:
    """Dossier ids of linked steps (a parent dossier id), in a deterministic order."""
    accepted = observations.accepted
    ids = {
        dossier_id
        for dossier_id, seen in observations.settlements.items()
        if any(s.parent_dossier_id for s in seen.values())
    }
    ids |= {d for d, sub in observations.submissions.items() if sub.parent_dossier_id}
    return sorted(ids - set(accepted))


def _linked_steps(observations: Observations, steps: list[str]) -> dict[str, Any]:
    outcomes: Counter[str] = Counter()
    settled_by: Counter[str] = Counter()
    for dossier_id in steps:
        settlement = observations.root_settlement(dossier_id)
        if settlement is None:
            outcomes["unfinished"] += 1
            continue
        outcomes[settlement.outcome] += 1
        settled_by[settlement.settled_by] += 1
    return {
        "count": len(steps),
        "approved": outcomes["approved"],
        "rejected": outcomes["rejected"],
        "unfinished": outcomes["unfinished"],
        "settled_by": counter_dict(settled_by),
    }


def dossier_counts(observations: Observations, roots: list[RootView]) -> dict[str, Any]:
    """counts, conservation, unfinished/lost/duplicated listings and linked steps."""
    steps = step_ids(observations)
    outcomes = Counter(view.outcome or "unfinished" for view in roots)
    unfinished = [view for view in roots if view.settlement is None]
    lost = [view for view in unfinished if view.submission is None]
    known = set(observations.accepted) | set(steps)
    duplicated = [
        {"dossier_id": d, "kind": "root" if d in observations.accepted else "step", "events": n}
        for d, seen in sorted(observations.settlements.items())
        if (n := len(seen)) > 1 and d in known
    ]
    stray = sorted(d for d in observations.settlements if d not in known)
    submitted = len(roots)
    approved, rejected = outcomes["approved"], outcomes["rejected"]
    conservation = {
        "submitted": submitted,
        "approved": approved,
        "rejected": rejected,
        "unfinished": len(unfinished),
        "holds": approved + rejected + len(unfinished) == submitted,
        "lost": len(lost),
        "duplicated": len(duplicated),
    }
    conservation["ok"] = bool(conservation["holds"] and not lost and not duplicated)
    counts = {
        **{k: conservation[k] for k in ("submitted", "approved", "rejected", "unfinished")},
        "lost": len(lost),
        "duplicated": len(duplicated),
        "approval_rate": share(approved, submitted),
        "settled_not_accepted": len(stray),
    }
    return {
        "counts": counts,
        "conservation": conservation,
        "unfinished_dossiers": [_unfinished_row(observations, v) for v in unfinished[:LIST_LIMIT]],
        "lost_dossiers": [
            {"dossier_id": v.dossier_id, "dossier_code": v.dossier_code} for v in lost[:LIST_LIMIT]
        ],
        "duplicated_dossiers": duplicated[:LIST_LIMIT],
        "linked_steps": _linked_steps(observations, steps),
    }


def _unfinished_row(observations: Observations, view: RootView) -> dict[str, Any]:
    status, by = observations.last_status.get(view.dossier_id, (None, None))
    return {
        "dossier_id": view.dossier_id,
        "dossier_code": view.dossier_code,
        "procedure_code": view.procedure_code,
        "status": status,
        "by": by,
    }
