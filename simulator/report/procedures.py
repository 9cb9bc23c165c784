"""Per procedure, per portal, per path and per rejection reason figures of the root dossiers."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from contracts.catalogue import Catalogue, Procedure
from contracts.events import ONE_STOP
from simulator.drive.observations import Settlement
from simulator.report.channels import volume_block
from simulator.report.dossiers import RootView
from simulator.report.stats import counter_dict, mean, percentile, share, subsample
from simulator.scenarios.scenario import Scenario

__all__ = [
    "LATENCY_SAMPLES",
    "latency_per_path",
    "path_of",
    "path_order",
    "procedure_table",
    "rejections",
    "settled_per_portal",
]

#: Latency samples kept per path for the plot (evenly taken from the sorted values).
LATENCY_SAMPLES = 2000
UNSPECIFIED = "unspecified"


def _procedure(catalogue: Catalogue, code: str | None) -> Procedure | None:
    try:
        return catalogue.by_code(code) if code else None
    except KeyError:
        return None


def path_of(settlement: Settlement, catalogue: Catalogue) -> str:
    """linked (groups 15/16), desk_returned (settled by a one-stop desk), else the portal."""
    procedure = _procedure(catalogue, settlement.procedure_code)
    if procedure is not None and procedure.linked_steps:
        return "linked"
    if settlement.settled_by == ONE_STOP:
        return "desk_returned"
    return settlement.settled_by


def path_order(path: str) -> tuple[int, str]:
    """Sort key: city portal, national portal, ministries, utilities, linked, desk, others."""
    if path in ("city_portal", "national_portal"):
        return (0 if path == "city_portal" else 1, path)
    prefixes = ("ministry.", "utility.")
    for rank, prefix in enumerate(prefixes, start=2):
        if path.startswith(prefix):
            return (rank, path)
    fixed = {"linked": 4, "desk_returned": 5, "all": 7}
    return (fixed.get(path, 6), path)


def latency_per_path(
    roots: list[RootView], catalogue: Catalogue
) -> tuple[dict[str, dict[str, Any]], dict[str, list[int]]]:
    """Wall ms from a root's `dossier.submitted` to its first settlement, per path and overall.

    Returns the table (count, p50/p95/p99/max ms, unmeasured: settled but never seen
    submitted, e.g. returned at the desk) and up to LATENCY_SAMPLES sorted samples per path.
    """
    values: dict[str, list[int]] = defaultdict(list)
    unmeasured: Counter[str] = Counter()
    for view in roots:
        if view.settlement is None:
            continue
        path = path_of(view.settlement, catalogue)
        if view.submission is None:
            unmeasured[path] += 1
            unmeasured["all"] += 1
            continue
        latency = max(0, view.settlement.wall_ms - view.submission.wall_ms)
        values[path].append(latency)
        values["all"].append(latency)
    table: dict[str, dict[str, Any]] = {}
    samples: dict[str, list[int]] = {}
    for path in sorted(set(values) | set(unmeasured), key=path_order):
        ordered = sorted(values.get(path, []))
        table[path] = {
            "count": len(ordered),
            "p50_ms": percentile(ordered, 50),
            "p95_ms": percentile(ordered, 95),
            "p99_ms": percentile(ordered, 99),
            "max_ms": ordered[-1] if ordered else None,
            "unmeasured": unmeasured[path],
        }
        if path != "all":
            samples[path] = subsample(ordered, LATENCY_SAMPLES)
    return table, samples


def settled_per_portal(roots: list[RootView]) -> dict[str, int]:
    """Root dossiers settled by each portal (one_stop: returned at the desk)."""
    return counter_dict(Counter(v.settlement.settled_by for v in roots if v.settlement))


def rejections(roots: list[RootView]) -> list[dict[str, Any]]:
    """Rejected roots by reason code, each with the first reason text seen as an example."""
    counts: Counter[str] = Counter()
    examples: dict[str, str | None] = {}
    for view in roots:
        settlement = view.settlement
        if settlement is None or settlement.outcome != "rejected":
            continue
        reason = settlement.reason_code or UNSPECIFIED
        counts[reason] += 1
        examples.setdefault(reason, settlement.reason_text)
    return [
        {"reason_code": reason, "count": count, "example": examples[reason]}
        for reason, count in counter_dict(counts).items()
    ]


def _row(
    code: str, procedure: Procedure | None, views: list[RootView], scenario: Scenario
) -> dict[str, Any]:
    settled = [v.settlement for v in views if v.settlement is not None]
    outcomes = Counter(s.outcome for s in settled)
    days = [s.working_days_taken for s in settled]
    judged = [s.within_legal_limit for s in settled if s.within_legal_limit is not None]
    limit = procedure.legal_time_limit_days if procedure else None
    if limit is None:
        limit = next((s.legal_limit_days for s in settled if s.legal_limit_days is not None), None)
    average = mean(days)
    return {
        "number": procedure.number if procedure else None,
        "code": code,
        "name_en": procedure.name_en if procedure else code,
        "name_vi": procedure.name_vi if procedure else code,
        "volume": volume_block(scenario, code),
        "submitted": len(views),
        "approved": outcomes["approved"],
        "rejected": outcomes["rejected"],
        "unfinished": len(views) - len(settled),
        "approval_rate": share(outcomes["approved"], len(views)),
        "channels": counter_dict(Counter(v.channel or "unknown" for v in views)),
        "rejected_by_reason": counter_dict(
            Counter(s.reason_code or UNSPECIFIED for s in settled if s.outcome == "rejected")
        ),
        "settled_by": counter_dict(Counter(s.settled_by for s in settled)),
        "days_taken": {
            "count": len(days),
            "mean": round(average, 3) if average is not None else None,
            "p95": percentile(days, 95),
            "max": max(days) if days else None,
        },
        "legal_limit_days": limit,
        "judged_against_limit": len(judged),
        "within_legal_limit": sum(judged),
        "share_within_legal_limit": share(sum(judged), len(judged)),
    }


def procedure_table(
    roots: list[RootView], scenario: Scenario, catalogue: Catalogue
) -> dict[str, dict[str, Any]]:
    """Per procedure code (catalogue order): demand, outcomes, portals, days vs legal limit."""
    grouped: dict[str, list[RootView]] = defaultdict(list)
    for view in roots:
        grouped[view.procedure_code or "unknown"].append(view)
    codes = set(grouped) | set(scenario.demand.procedures)

    def order(code: str) -> tuple[int, str]:
        procedure = _procedure(catalogue, code)
        return (procedure.number if procedure else 99, code)

    return {
        code: _row(code, _procedure(catalogue, code), grouped.get(code, []), scenario)
        for code in sorted(codes, key=order)
    }
