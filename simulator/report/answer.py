"""The words of the summary: definitions of its figures, the data note, the headline."""

from __future__ import annotations

from typing import Any

from simulator.report.archive import archive_lines
from simulator.report.campaign import campaign_lines
from simulator.report.friction import friction_lines
from simulator.report.labels import fmt_int, fmt_ms, fmt_pct, fmt_simtime, label
from simulator.report.records import records_lines
from simulator.report.stats import share

__all__ = ["DEFINITIONS", "data_note", "headline"]

DEFINITIONS: dict[str, str] = {
    "root_dossier": "A dossier the simulator got a 202 for (online or at a desk); linked steps "
    "(dossiers with a parent) are counted apart under linked_steps.",
    "submitted": "Number of root dossiers.",
    "approved_rejected": "Roots whose first settlement (earliest by wall time) has that outcome.",
    "unfinished": "Roots with no settlement when the run ended.",
    "lost": "Roots accepted but never seen on dossier.submitted and never settled (the dossier "
    "vanished; a paper dossier still queued at a desk when the run ended counts here too).",
    "duplicated": "Roots or linked steps with more than one distinct dossier.settled event id.",
    "settled_not_accepted": "Settled dossiers that are neither accepted roots nor linked steps.",
    "path": "linked for procedures with linked steps (15, 16); desk_returned when a one-stop "
    "desk settled it (failed scan); else the portal that settled it.",
    "wall_latency": "Wall ms from the root's dossier.submitted record to its first "
    "dossier.settled record (Kafka timestamps); roots settled without a dossier.submitted "
    "(returned at the desk) are 'unmeasured'.",
    "percentiles": "Nearest rank: the smallest value with at least p% of the values at or below.",
    "days_taken": "Simulated working days from receipt to decision, of approved and rejected "
    "roots; share_within_legal_limit counts those the settling portal judged against a limit.",
    "desk_backlog": "Sum over a district's desks of each desk's latest digitisation queue "
    "length, swept over desk.queue.changed events in simulated-time order.",
    "throughput": "Root settlements and bus events (all topics) per wall second from the "
    "start of the run; fault windows in wall seconds from the start.",
    "refused": "Demand items that never became a dossier, by reason (e.g. an account refused).",
    "volume": "Per procedure: the published figure if any (an online count), and per channel "
    "the dossiers expected over the period (online every calendar day, desks on working "
    "days) and whether that volume is published or synthetic.",
    "calendar": "The simulated period (start_date to the last working day of the demand), its "
    "working days and the public holidays that close the desks (contracts/holidays.py).",
    "friction": "Online applicants who abandoned (assumed shares, cut by the help in force): "
    "at account registration or at a complex form, then went to a desk or gave up; "
    "online_share = dossiers handed in online / all handed in (intended: before friction).",
    "id_card_campaign": "ID-card (procedure 2) applications received in the run, cards "
    "returned in the period (approved settlements up to the end of its last day), the ratio "
    "against Hanoi's 6.0 of 6.5 million in 2022, and applications waiting (received, not "
    "settled) over simulated time; capacity_per_day_run = the policy x demand.scale.",
    "population_records": "Root dossiers rejected at the identity check, per week (from "
    "Monday, by receipt) and by category: a dirty record (children, merit, moved: the record's "
    "category named by the population database) or the applicant's declaration; accounts "
    "refused on a dirty record apart; the dirty shares assumed and the cleaning rate.",
    "e_archive": "Desk dossiers digitised, the archive's size (digitised desk dossiers kept, "
    "with the policy e_archive), dossiers that reused an applicant's archived dossiers, and "
    "mean working days from receipt to settlement of all desk dossiers, of repeat applicants' "
    "(handed in at a desk before in the run) and of those that reused.",
    "arrivals_by_channel": "Root dossiers per channel: received outside office hours "
    "(08:00-17:00 on working days), received on a day desks are closed, and the share of "
    "those judged against a legal limit that met it.",
    "warnings": "Scenario settings that did nothing in this run, by field path and why.",
    "supervision": "Deaths (service exits the runner did not ask for) and restarts of the "
    "services the run started, in wall seconds into the run (null against a deployment); "
    "held_up: roots on dossier.submitted and not settled when it died (open_when_it_died); "
    "roots on dossier.submitted before it was back, settled only after; roots never settled "
    "whose last status was by that service.",
}


def _published_part(row: dict[str, Any]) -> str:
    volume = row["volume"]
    figure = volume["published_figure"]
    amount = (
        f"{fmt_int(figure['per_year'])} online submissions a year"
        if "per_year" in figure
        else f"{figure['per_day']:g} online submissions a day"
    )
    scale = volume["scale"]
    online = volume["online"]
    if online["source"] == "published":
        how = "run as its online volume" + (f" at scale {scale:g}" if scale != 1 else "")
    else:
        how = f"run with {online['source']} online and the rest at desks (SYNTHETIC)"
    desk = volume["desk"]["expected"] if online["source"] == "published" else 0
    extra = f"; a SYNTHETIC desk volume on top ({fmt_int(desk)} expected)" if desk else ""
    name = f"{row['number']}. {row['name_en']}"
    expected = fmt_int(online["expected"])
    return f"{name}: {amount}, {how} ({expected} expected){extra}"


def data_note(procedures: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Which volumes are published figures (online counts) and which synthetic, in a sentence."""
    published: list[str] = []
    synthetic: list[str] = []
    for code, row in procedures.items():
        volume = row.get("volume")
        if volume is None:
            continue
        (published if volume["published"] else synthetic).append(code)
    desk_on_top = [c for c in published if procedures[c]["volume"]["desk"]["expected"]]
    parts = [_published_part(procedures[c]) for c in published]
    if published:
        text = "Published figures, counts of online submissions: " + "; ".join(parts) + "."
        if synthetic:
            others = f"{len(synthetic)} procedure" + ("s" if len(synthetic) != 1 else "")
            text += f" Every other volume ({others}) is SYNTHETIC: an assumption, not a "
            text += "published figure."
    else:
        text = "Every volume is SYNTHETIC: an assumption, not a published figure."
    return {
        "published": published,
        "synthetic": synthetic,
        "synthetic_desk_on_published": desk_on_top,
        "text": text,
    }


def _portals(settled: dict[str, int]) -> str:
    return ", ".join(f"{label(portal)} {fmt_int(n)}" for portal, n in settled.items())


def _arrivals(by_channel: dict[str, dict[str, Any]]) -> str | None:
    online, desk = by_channel.get("online"), by_channel.get("desk")
    if not online and not desk:
        return None
    parts = []
    if online:
        parts.append(
            f"{fmt_int(online['dossiers'])} online, "
            f"{fmt_pct(share(online['outside_office_hours'], online['dossiers']))} of them "
            f"outside office hours ({fmt_int(online['on_non_working_days'])} on days the desks "
            "were closed)"
        )
    if desk:
        outside = fmt_int(desk["outside_office_hours"])
        parts.append(f"{fmt_int(desk['dossiers'])} at desks ({outside} outside office hours)")
    return "Arrivals: " + "; ".join(parts) + "."


def headline(summary: dict[str, Any]) -> list[str]:
    """A few sentences that answer the scenario's question from the figures."""
    counts, cons = summary["counts"], summary["conservation"]
    days = summary["scenario"]["days"]
    lines = [
        f"{fmt_int(counts['submitted'])} dossiers submitted over {days} simulated working "
        f"day{'s' if days != 1 else ''}: {fmt_int(counts['approved'])} approved "
        f"({fmt_pct(counts['approval_rate'])}), {fmt_int(counts['rejected'])} rejected, "
        f"{fmt_int(counts['unfinished'])} unfinished.",
        f"Conservation {'holds' if cons['holds'] else 'DOES NOT hold'} "
        f"(approved + rejected + unfinished = submitted); {cons['lost']} lost, "
        f"{cons['duplicated']} duplicated" + ("." if cons["ok"] else ": NOT a clean run."),
    ]
    if arrivals := _arrivals(summary["arrivals_by_channel"]):
        lines.append(arrivals)
    lines += friction_lines(summary.get("friction") or {})
    lines += campaign_lines(summary.get("id_card_campaign") or {})
    lines += records_lines(summary.get("population_records") or {})
    lines += archive_lines(summary.get("e_archive") or {})
    if summary["settled_per_portal"]:
        lines.append(f"Settled by: {_portals(summary['settled_per_portal'])}.")
    overall = summary["latency_per_path"].get("all")
    if overall and overall["count"]:
        paths = [(p, row) for p, row in summary["latency_per_path"].items() if p != "all"]
        slowest = max(paths, key=lambda item: item[1]["p95_ms"] or -1)
        lines.append(
            f"Wall latency from submission to settlement: p50 {fmt_ms(overall['p50_ms'])}, "
            f"p95 {fmt_ms(overall['p95_ms'])}, p99 {fmt_ms(overall['p99_ms'])}; slowest path "
            f"{label(slowest[0])} (p95 {fmt_ms(slowest[1]['p95_ms'])})."
        )
    judged = sum(row["judged_against_limit"] for row in summary["procedures"].values())
    within = sum(row["within_legal_limit"] for row in summary["procedures"].values())
    if judged:
        lines.append(
            f"{fmt_pct(within / judged)} of {fmt_int(judged)} settled dossiers with a legal "
            "time limit were decided within it."
        )
    if summary["rejections"]:
        top = summary["rejections"][0]
        lines.append(f"Most frequent rejection: {top['reason_code']} ({fmt_int(top['count'])}).")
    refused = summary["refused"]
    if refused["total"]:
        reasons = "; ".join(f"{r}: {fmt_int(n)}" for r, n in refused["by_reason"].items())
        lines.append(f"{fmt_int(refused['total'])} never became dossiers ({reasons}).")
    desk = summary["desk_backlog"]
    if desk["districts"]:
        top_district = desk["districts"][0]
        lines.append(
            f"Desk digitisation backlog peaked at {fmt_int(desk['peak']['total'])} dossiers "
            f"(at {fmt_simtime(desk['peak']['simtime'])}); largest in {top_district['name']} "
            f"({fmt_int(top_district['peak'])})."
        )
    settle_rate = summary["throughput"]["settlements_per_s"]
    if faults := summary["throughput"]["faults"]:
        windows = ", ".join(
            f"{f['service']} {f['kind']} {f['start_s']:g}-{f['end_s']:g} s" for f in faults
        )
        lines.append(
            f"Faults ({windows}): settlements averaged {settle_rate['mean_during_faults']}/s "
            f"in the fault windows against {settle_rate['mean_outside_faults']}/s outside."
        )
    if summary["deadletters"]["total"]:
        lines.append(f"{fmt_int(summary['deadletters']['total'])} events were dead-lettered.")
    return lines
