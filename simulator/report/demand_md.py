"""report.md's demand section: the period and its holidays, published vs synthetic volumes,
and how the dossiers arrived per channel (online at any hour, desks in office hours)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from simulator.report.labels import fmt_int, fmt_pct, table

__all__ = ["demand_section", "source_mark"]


def source_mark(volume: dict[str, Any]) -> str:
    """(P) published online count, (S) synthetic, (P+S) published online plus synthetic desk."""
    if not volume["published"]:
        return " (S)"
    if volume["online"]["source"] == "published" and not volume["desk"]["expected"]:
        return " (P)"
    return " (P+S)"


def _channel_rows(summary: dict[str, Any]) -> list[list[Any]]:
    volumes = [r["volume"] for r in summary["procedures"].values() if r["volume"]]
    rows = []
    for channel, arrived in summary["arrivals_by_channel"].items():
        parts = [v[channel] for v in volumes if channel in v]
        published = sum(p["expected"] for p in parts if p["source"] == "published")
        expected = sum(p["expected"] for p in parts)
        rows.append(
            [
                channel,
                f"{fmt_int(expected)} ({fmt_int(published)} published, "
                f"{fmt_int(expected - published)} synthetic)",
                fmt_int(arrived["dossiers"]),
                fmt_int(arrived["outside_office_hours"]),
                fmt_int(arrived["on_non_working_days"]),
                fmt_pct(arrived["share_within_legal_limit"]),
            ]
        )
    return rows


def _days(count: int, kind: str) -> str:
    return f"{count} {kind} day" + ("s" if count != 1 else "")


def _holiday_runs(holidays: list[dict[str, Any]]) -> list[str]:
    """Holidays of one name a weekend apart at most, as one run: '2026-02-16 to 2026-02-20 Tết'."""
    runs: list[list[dict[str, Any]]] = []
    for holiday in holidays:
        last = runs[-1][-1] if runs else None
        near = last is not None and (
            date.fromisoformat(holiday["date"]) - date.fromisoformat(last["date"])
        ) <= timedelta(days=3)
        if last is not None and near and last["name"] == holiday["name"]:
            runs[-1].append(holiday)
        else:
            runs.append([holiday])
    texts = []
    for run in runs:
        first, last = run[0]["date"], run[-1]["date"]
        when = first if first == last else f"{first} to {last}"
        unsure = "" if all(h["sure"] for h in run) else " (dates not sure)"
        texts.append(f"{when} {run[0]['name']}{unsure}")
    return texts


def demand_section(summary: dict[str, Any]) -> list[str]:
    """The period, its holidays, which volumes are published, arrivals per channel."""
    cal = summary["calendar"]
    holidays = "; ".join(_holiday_runs(cal["holidays"]))
    lines = [
        "## Demand: channels, sources, calendar",
        "",
        f"- Period {cal['first_day']} to {cal['last_day']}: "
        f"{_days(cal['calendar_days'], 'calendar')}, {_days(cal['working_days'], 'working')}. "
        "Online submissions arrive "
        f"{cal['online_arrive']}; desk dossiers on {cal['desk_arrive']}.",
        f"- Public holidays in the period (desks closed, not counted as working days): "
        f"{holidays or 'none'}.",
    ]
    if cal["years_without_holiday_data"]:
        years = ", ".join(str(y) for y in cal["years_without_holiday_data"])
        lines.append(f"- No holiday data for {years}: weekends only.")
    lines.append(f"- {summary['data_note']['text']}")
    header = ["channel", "expected from the volumes", "submitted", "outside office hours"]
    header.append("desks closed")
    header.append("within limit")
    return [*lines, "", *table(header, _channel_rows(summary)), ""]
