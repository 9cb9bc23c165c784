"""The chip ID-card (CCCD) campaign in the report: applications, cards returned, the queue.

From the run's root dossiers of procedure 2: the applications received in the scenario's
period, the cards returned in it (approved settlements up to the period's end; later ones
are returned after it), and the applications waiting for their card over simulated time.
The seed's check: Hanoi returned 6.0 of 6.5 million cards in 2022 (92.3%).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from contracts.worktime import HANOI_TZ
from simulator.report.dossiers import RootView
from simulator.report.labels import fmt_int, fmt_pct, table
from simulator.report.stats import downsample_max, share
from simulator.report.timeline import SERIES_POINTS
from simulator.scenarios.campaign import ID_CARD_CODE
from simulator.scenarios.scenario import Policies, Scenario
from simulator.scenarios.volumes import demand_period

__all__ = [
    "SEED_APPLIED",
    "SEED_RETURNED",
    "campaign_block",
    "campaign_compared",
    "campaign_lines",
    "campaign_section",
]

#: Hanoi's one-year review of Project 06 (February 2023): CCCD applications taken in 2022.
SEED_APPLIED = 6_500_000
#: ... and cards returned in the year.
SEED_RETURNED = 6_000_000


def _queue(applications: list[RootView]) -> list[tuple[str, int]]:
    """Applications received and not yet settled, after each change (simulated time)."""
    changes: list[tuple[datetime, int]] = []
    for view in applications:
        received = view.settlement or view.submission
        if received is not None:
            changes.append((datetime.fromisoformat(received.received_simtime), 1))
        if view.settlement is not None:
            changes.append((datetime.fromisoformat(view.settlement.settled_simtime), -1))
    series: list[tuple[str, int]] = []
    waiting = 0
    for moment, change in sorted(changes, key=lambda c: (c[0], -c[1])):
        waiting += change
        series.append((moment.isoformat(), waiting))
    return series


def campaign_block(
    scenario: Scenario, policies: Policies, roots: list[RootView]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The campaign's figures and the queue's plot data (both empty without ID cards)."""
    applications = [v for v in roots if v.procedure_code == ID_CARD_CODE]
    if not applications:
        return {}, {}
    period = demand_period(scenario.start_date, scenario.days)
    end = datetime.combine(period.last, time.max, HANOI_TZ)
    approved = [v.settlement for v in applications if v.outcome == "approved"]
    returned = sum(1 for s in approved if s and datetime.fromisoformat(s.settled_simtime) <= end)
    mobile = sum(1 for v in applications if v.submission and len(v.submission.received_unit) > 3)
    series = _queue(applications)
    at_end = next((n for t, n in reversed(series) if datetime.fromisoformat(t) <= end), 0)
    peak = max(series, key=lambda point: point[1], default=("", 0))
    figures = {
        "applications": len(applications),
        "taken_at_communes": mobile,
        "mobile_team_share_assumed": scenario.id_card_campaign.mobile_team_share,
        "capacity_per_day": policies.id_card_capacity_per_day,
        "capacity_per_day_run": policies.id_card_capacity_per_day * scenario.demand.scale,
        "scale": scenario.demand.scale,
        "period_end": period.last.isoformat(),
        "returned_in_period": returned,
        "returned_after": len(approved) - returned,
        "rejected": sum(1 for v in applications if v.outcome == "rejected"),
        "returned_ratio": share(returned, len(applications)),
        "seed_ratio": share(SEED_RETURNED, SEED_APPLIED),
        "waiting_at_period_end": at_end,
        "peak_waiting": {"count": peak[1], "simtime": peak[0] or None},
    }
    points = downsample_max(series, SERIES_POINTS)
    plot = {"simtime": [t for t, _ in points], "waiting": [n for _, n in points]}
    return figures, plot


def campaign_lines(block: dict[str, Any]) -> list[str]:
    """The headline's sentence, when the run had ID-card applications."""
    if not block:
        return []
    return [
        f"ID cards: {fmt_int(block['returned_in_period'])} of {fmt_int(block['applications'])} "
        f"applications returned by {block['period_end']} ({fmt_pct(block['returned_ratio'])}; "
        f"Hanoi 2022: 6.0 of 6.5 million, {fmt_pct(block['seed_ratio'])}), "
        f"{fmt_int(block['waiting_at_period_end'])} still waiting then."
    ]


def campaign_section(summary: dict[str, Any]) -> list[str]:
    """report.md's ID-card section (nothing without ID-card applications)."""
    block = summary.get("id_card_campaign")
    if not block:
        return []
    scale = block["scale"]
    rows = [
        ["applications taken", fmt_int(block["applications"]), fmt_int(SEED_APPLIED * scale)],
        [
            "cards returned in the period",
            fmt_int(block["returned_in_period"]),
            fmt_int(SEED_RETURNED * scale),
        ],
        ["returned / taken", fmt_pct(block["returned_ratio"]), fmt_pct(block["seed_ratio"])],
    ]
    return [
        "## The chip ID-card campaign",
        "",
        f"- Public Security's card line: {block['capacity_per_day']:,.0f} cards a working day "
        f"at Hanoi's scale, {block['capacity_per_day_run']:g} in this run (scale {scale:g}).",
        f"- {fmt_int(block['taken_at_communes'])} applications taken by mobile teams at "
        f"communes (assumed share {fmt_pct(block['mobile_team_share_assumed'])}); "
        f"{fmt_int(block['rejected'])} rejected; {fmt_int(block['returned_after'])} cards "
        f"returned after {block['period_end']}.",
        f"- Waiting for a card at the period's end: {fmt_int(block['waiting_at_period_end'])}; "
        f"at most {fmt_int(block['peak_waiting']['count'])} "
        f"({block['peak_waiting']['simtime']}).",
        "",
        *table(["", "this run", "Hanoi 2022 × scale"], rows),
        "",
    ]


def campaign_compared(s: dict[str, Any]) -> dict[str, Any]:
    """The campaign's figures a comparison puts side by side (none without ID cards)."""
    block = s.get("id_card_campaign")
    if not block:
        return {}
    ratio = block["returned_ratio"]
    return {
        "ID-card capacity a day (run)": block["capacity_per_day_run"],
        "ID-card applications": block["applications"],
        "cards returned in the period": block["returned_in_period"],
        "returned / taken (%)": None if ratio is None else round(ratio * 100, 2),
        "waiting at the period's end": block["waiting_at_period_end"],
    }
