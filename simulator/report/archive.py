"""Digitisation and the desks' electronic archive in the report: size, reuse, days saved.

From the run's desk dossiers: those digitised (they reached `dossier.submitted`), what the
archive keeps when the policy `e_archive` is on (every digitised desk dossier, with its
result document once approved), the dossiers that reused an applicant's archived
documents (`desk.dossier.received` v2), and the working days from receipt to settlement
of repeat applicants' desk dossiers (an applicant who had handed in at a desk before in
the run) against all desk dossiers. The days saved are the difference between a run with
the archive and one without (a variant): the same demand, the same dossiers.
"""

from __future__ import annotations

from typing import Any

from simulator.drive.observations import Observations
from simulator.report.dossiers import RootView
from simulator.report.labels import fmt_int, fmt_pct, table
from simulator.report.stats import mean, share
from simulator.scenarios.scenario import Policies

__all__ = ["archive_block", "archive_compared", "archive_lines", "archive_section"]


def _days(views: list[RootView]) -> float | None:
    days = [v.settlement.working_days_taken for v in views if v.settlement is not None]
    average = mean(days)
    return None if average is None else round(average, 3)


def archive_block(
    policies: Policies, roots: list[RootView], observations: Observations
) -> dict[str, Any]:
    """The archive's figures (empty when the run had no desk dossiers)."""
    desk = [v for v in roots if v.channel == "desk"]
    if not desk:
        return {}
    on = policies.e_archive
    digitised = [v for v in desk if v.submission is not None]
    reused = [v for v in desk if observations.desk_reused.get(v.dossier_id, 0) > 0]
    repeat = [v for v in desk if v.dossier_id in observations.repeat_desk]
    results = [v for v in digitised if v.outcome == "approved"]
    return {
        "e_archive": on,
        "desk_dossiers": len(desk),
        "digitised": len(digitised),
        "archive_size": len(digitised) if on else 0,
        "results_kept": len(results) if on else 0,
        "repeat_applicants_dossiers": len(repeat),
        "reused": len(reused),
        "documents_reused": sum(observations.desk_reused.get(v.dossier_id, 0) for v in reused),
        "reuse_rate": share(len(reused), len(repeat)),
        "mean_days": {"all_desk": _days(desk), "repeat": _days(repeat), "reused": _days(reused)},
    }


def archive_lines(block: dict[str, Any]) -> list[str]:
    """The headline's sentence, when the archive was on."""
    if not block or not block["e_archive"]:
        return []
    days = block["mean_days"]
    return [
        f"E-archive: {fmt_int(block['archive_size'])} desk dossiers kept; "
        f"{fmt_int(block['reused'])} of {fmt_int(block['repeat_applicants_dossiers'])} repeat "
        f"applicants' desk dossiers reused archived documents "
        f"({fmt_pct(block['reuse_rate'])}); repeat applicants' dossiers took "
        f"{_fmt(days['repeat'])} working days on average (all desk dossiers "
        f"{_fmt(days['all_desk'])})."
    ]


def _fmt(days: float | None) -> str:
    return "—" if days is None else f"{days:.2f}"


def archive_section(summary: dict[str, Any]) -> list[str]:
    """report.md's section on digitisation and the archive (nothing without desk dossiers)."""
    block = summary.get("e_archive")
    if not block:
        return []
    days = block["mean_days"]
    rows = [
        ["all desk dossiers", fmt_int(block["desk_dossiers"]), _fmt(days["all_desk"])],
        [
            "repeat applicants' dossiers",
            fmt_int(block["repeat_applicants_dossiers"]),
            _fmt(days["repeat"]),
        ],
        ["dossiers that reused archived documents", fmt_int(block["reused"]), _fmt(days["reused"])],
    ]
    state = "on" if block["e_archive"] else "off (2022-2023: no guidance, nothing kept)"
    return [
        "## Digitisation and the electronic archive",
        "",
        f"- E-archive {state}: {fmt_int(block['digitised'])} of {fmt_int(block['desk_dossiers'])} "
        f"desk dossiers digitised; archive size {fmt_int(block['archive_size'])} dossiers, "
        f"{fmt_int(block['results_kept'])} with their result document.",
        f"- Reuse: {fmt_int(block['reused'])} dossiers reused {fmt_int(block['documents_reused'])} "
        f"archived dossiers (reuse rate among repeat applicants' dossiers "
        f"{fmt_pct(block['reuse_rate'])}).",
        "",
        *table(["desk dossiers", "count", "mean working days, receipt to settlement"], rows),
        "",
    ]


def archive_compared(s: dict[str, Any]) -> dict[str, Any]:
    """The archive's figures for a comparison (none for older summaries)."""
    block = s.get("e_archive")
    if not block:
        return {}
    return {
        "archive size": block["archive_size"],
        "dossiers reusing archived documents": block["reused"],
        "reuse rate (%)": None
        if block["reuse_rate"] is None
        else round(block["reuse_rate"] * 100, 2),
        "mean days, repeat applicants' desk dossiers": block["mean_days"]["repeat"],
        "mean days, all desk dossiers": block["mean_days"]["all_desk"],
    }
