"""Dirty population records in the report: identity-check failures per week, by category.

A root dossier failed its identity check when the city portal rejected it with an identity
reason; the category is the population database's ``record_<category>`` in the reason (a
dirty record, `services/population_db/domain/records.py`), else ``declaration`` (the
applicant's own error: a typo, a wrong birth date, a deceased person's number). Weeks
start on Monday, by the dossier's receipt (simulated time). Accounts refused for a dirty
record are counted apart (their dossiers never became dossiers).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from contracts.worktime import HANOI_TZ
from simulator.drive.observations import Observations
from simulator.report.dossiers import RootView
from simulator.report.labels import fmt_int, table
from simulator.scenarios.records import CATEGORY_NAMES
from simulator.scenarios.scenario import Policies, Scenario

__all__ = [
    "IDENTITY_REASONS",
    "failure_category",
    "records_block",
    "records_compared",
    "records_lines",
    "records_section",
]

#: The city portal's reason codes of a failed identity check.
IDENTITY_REASONS = frozenset(
    {"identity_mismatch", "identity_not_found", "person_deceased", "malformed_id_number"}
)
COLUMNS = (*CATEGORY_NAMES, "declaration")


def failure_category(reason: str | None) -> str:
    """The dirty-record category a rejection's (or refusal's) text names, else declaration."""
    text = reason or ""
    return next((c for c in CATEGORY_NAMES if f"record_{c}" in text), "declaration")


def _week(simtime: str) -> str:
    day = datetime.fromisoformat(simtime).astimezone(HANOI_TZ).date()
    return (day - timedelta(days=day.weekday())).isoformat()


def records_block(
    scenario: Scenario, policies: Policies, roots: list[RootView], observations: Observations
) -> dict[str, Any]:
    """Identity-check failures per week and category, with the records and the campaign."""
    weeks: dict[str, Counter[str]] = {}
    for view in roots:
        seen = view.settlement or view.submission
        if seen is not None:
            weeks.setdefault(_week(seen.received_simtime), Counter())
        settled = view.settlement
        if settled is None or settled.reason_code not in IDENTITY_REASONS:
            continue
        weeks[_week(settled.received_simtime)][failure_category(settled.reason_text)] += 1
    reasons = [str(a.get("reason")) for a in observations.accounts.values()]
    accounts = Counter(failure_category(r) for r in reasons if r.startswith("identity check"))
    rows: list[dict[str, Any]] = [
        {"week": week, **{c: weeks[week][c] for c in COLUMNS}, "total": weeks[week].total()}
        for week in sorted(weeks)
    ]
    totals = {c: sum(weeks[w][c] for w in weeks) for c in COLUMNS}
    return {
        "assumed": scenario.population_records.model_dump(mode="json"),
        "cleaning_per_day": policies.record_cleaning_per_day,
        "per_week": rows,
        "failures": totals,
        "failures_total": sum(totals.values()),
        "dirty_failures": sum(totals[c] for c in CATEGORY_NAMES),
        "accounts_refused": {c: accounts[c] for c in COLUMNS},
    }


def records_lines(block: dict[str, Any]) -> list[str]:
    """The headline's sentence, when a dirty record failed a check."""
    if not block or not block["dirty_failures"]:
        return []
    parts = ", ".join(f"{fmt_int(block['failures'][c])} {n}" for c, n in CATEGORY_NAMES.items())
    campaign = block["cleaning_per_day"]
    return [
        f"Dirty population records: {fmt_int(block['dirty_failures'])} dossiers failed their "
        f"identity check on a record not yet cleaned ({parts}); cleaning campaign "
        + (f"{campaign:g} records a working day." if campaign else "none.")
    ]


def records_section(summary: dict[str, Any]) -> list[str]:
    """report.md's section on identity-check failures per week (nothing without any)."""
    block = summary.get("population_records")
    if not block or not block["failures_total"]:
        return []
    assumed = block["assumed"]
    header = ["week from", *CATEGORY_NAMES.values(), "applicant's declaration", "all"]
    rows = [
        [r["week"], *(fmt_int(r[c]) for c in COLUMNS), fmt_int(r["total"])]
        for r in block["per_week"]
    ]
    refused = sum(block["accounts_refused"][c] for c in CATEGORY_NAMES)
    campaign = block["cleaning_per_day"]
    return [
        "## Identity-check failures and the cleaning of population records",
        "",
        f"- Dirty records assumed (not published): {assumed['dirty_children_share']:.0%} of "
        f"children's, {assumed['dirty_merit_share']:.0%} of people 60+ (people with merit), "
        f"{assumed['dirty_moved_share']:.0%} of the others' (moved residents).",
        "- Cleaning campaign: "
        + (f"{campaign:g} records a working day." if campaign else "none.")
        + f" Accounts refused on a dirty record: {fmt_int(refused)}.",
        "",
        *table(header, rows),
        "",
    ]


def records_compared(s: dict[str, Any]) -> dict[str, Any]:
    """Identity-check failures by category for a comparison (none for older summaries)."""
    block = s.get("population_records")
    if not block:
        return {}
    return {
        "cleaning records a day": block["cleaning_per_day"],
        **{f"failed: {name}": block["failures"][c] for c, name in CATEGORY_NAMES.items()},
        "failed: applicant's declaration": block["failures"]["declaration"],
        "identity-check failures": block["failures_total"],
        "accounts refused on a dirty record": sum(
            block["accounts_refused"][c] for c in CATEGORY_NAMES
        ),
    }
