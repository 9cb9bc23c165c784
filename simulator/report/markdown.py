"""`report.md`: what was run, the answer, compact tables and the plots, in two minutes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.report.archive import archive_section
from simulator.report.campaign import campaign_section
from simulator.report.deaths import deaths_section
from simulator.report.demand_md import demand_section, source_mark
from simulator.report.friction import friction_section
from simulator.report.labels import (
    fmt_days,
    fmt_int,
    fmt_limit,
    fmt_ms,
    fmt_pct,
    fmt_simtime,
    label,
    short_name,
    table,
)
from simulator.report.plots import PLOT_TITLES
from simulator.report.records import records_section
from simulator.report.time_goes import time_goes_section

__all__ = ["render_report", "table", "write_report"]

UNFINISHED_SHOWN = 10


def _off_default(states: dict[str, Any]) -> str:
    """The policies that differ from a service's defaults, and paused services."""
    parts = []
    for service, state in states.items():
        for name, value in state["in_force"].items():
            if value != state["defaults"][name]:
                parts.append(f"`{service}.{name}` = {value} (default {state['defaults'][name]})")
        if not state["consuming"]:
            parts.append(f"`{service}` paused")
    return ", ".join(parts) or "all defaults"


def _read_back(in_force: dict[str, Any]) -> list[str]:
    """What the services said was in force (their operations API), during and after."""
    if not in_force.get("during"):
        return []
    lines = [f"- In force, as read back from the services: {_off_default(in_force['during'])}."]
    if in_force.get("after"):
        lines.append(f"- After the run, read back: {_off_default(in_force['after'])}.")
    return lines


def _what_was_run(summary: dict[str, Any]) -> list[str]:
    sc, run = summary["scenario"], summary["run"]
    days = sc["days"]
    faults = (
        ", ".join(
            f"{f['service']} paused {f['stop_at_s']:g}-{f['restart_at_s']:g} s"
            for f in sc["faults"]
        )
        or "none"
    )
    changed = (
        ", ".join(
            f"`{k}` = {v['value']} (default {v['default']})"
            for k, v in sc["policies_changed"].items()
        )
        or "none (all defaults)"
    )
    lines = [
        "## What was run",
        "",
        f"- Seed **{run['seed']}**; from {sc['start_date']}, **{days}** simulated working "
        f"day{'s' if days != 1 else ''}; synthetic population of {fmt_int(sc['population_size'])}"
        f"; foreigner share {fmt_pct(sc['foreigner_share'], 0)}.",
        f"- Demand: {sc['demand']['procedures']} procedures, scale {sc['demand']['scale']:g}, "
        f"≈ {fmt_int(sc['demand']['expected_dossiers'])} dossiers expected; "
        f"**{fmt_int(summary['counts']['submitted'])}** accepted; "
        f"wall time **{run['wall_seconds']:.1f} s**.",
        f"- Faults: {faults}."
        + (
            f" Population database delay: {sc['population_db_delay_ms']} ms per check."
            if sc["population_db_delay_ms"]
            else ""
        ),
        f"- Policies changed from the defaults: {changed}.",
        *_read_back(summary.get("in_force") or {}),
    ]
    if run["extra"].get("timed_out"):
        lines.append("- **The run timed out before every dossier settled.**")
    if run["extra"].get("ended_early"):
        lines.append(f"- **The run ended early**: {run['extra']['ended_early']}.")
    for warning in summary.get("warnings", []):
        lines.append(f"- Warning: `{warning['field']}`: {warning['reason']}.")
    return [*lines, ""]


def _answer(summary: dict[str, Any]) -> list[str]:
    cons = summary["conservation"]
    rows = [
        [
            fmt_int(cons["submitted"]),
            fmt_int(cons["approved"]),
            fmt_int(cons["rejected"]),
            fmt_int(cons["unfinished"]),
            "yes" if cons["holds"] else "**NO**",
            cons["lost"],
            cons["duplicated"],
        ]
    ]
    lines = ["## The answer", "", *[f"- {line}" for line in summary["answer"]], ""]
    lines += table(
        ["submitted", "approved", "rejected", "unfinished", "adds up", "lost", "duplicated"], rows
    )
    unfinished = summary["unfinished_dossiers"][:UNFINISHED_SHOWN]
    if unfinished:
        lines += ["", f"Unfinished (first {len(unfinished)}):", ""]
        lines += table(
            ["dossier code", "procedure", "last status", "by"],
            [
                [
                    u["dossier_code"],
                    u["procedure_code"] or "?",
                    u["status"] or "never seen",
                    u["by"] or "—",
                ]
                for u in unfinished
            ],
        )
    return [*lines, ""]


def _procedures(summary: dict[str, Any]) -> list[str]:
    rows = []
    for row in summary["procedures"].values():
        volume = row["volume"]
        source = "" if volume is None else source_mark(volume)
        days = row["days_taken"]
        portals = ", ".join(label(p) for p in row["settled_by"]) or "—"
        rows.append(
            [
                row["number"] or "?",
                short_name(row["name_en"], 40) + source,
                fmt_int(row["submitted"]),
                fmt_pct(row["approval_rate"]),
                portals,
                f"{fmt_days(days['mean'])} / {fmt_days(days['p95'])}",
                fmt_limit(row["legal_limit_days"]),
                fmt_pct(row["share_within_legal_limit"]),
            ]
        )
    header = [
        "#",
        "procedure",
        "submitted",
        "approved",
        "settled by",
        "days mean / p95",
        "limit",
        "within",
    ]
    note = (
        "(P) published online count, (S) synthetic volume, (P+S) published online count with "
        "a synthetic desk volume; days are simulated working days."
    )
    return ["## Per procedure", "", *table(header, rows), "", note, ""]


def _latency(summary: dict[str, Any]) -> list[str]:
    rows = [
        [
            label(p),
            fmt_int(r["count"]),
            fmt_ms(r["p50_ms"]),
            fmt_ms(r["p95_ms"]),
            fmt_ms(r["p99_ms"]),
            fmt_ms(r["max_ms"]),
        ]
        for p, r in summary["latency_per_path"].items()
    ]
    if not rows:
        return ["## Wall latency per path", "", "No dossier settled.", ""]
    header = ["path", "n", "p50", "p95", "p99", "max"]
    lines = ["## Wall latency per path", "", *table(header, rows), ""]
    unmeasured = summary["latency_per_path"].get("all", {}).get("unmeasured", 0)
    if unmeasured:
        lines += [
            f"{fmt_int(unmeasured)} settled without a dossier.submitted (returned at the desk "
            "before digitisation): no wall latency for them.",
            "",
        ]
    return lines


def _exceptions(summary: dict[str, Any]) -> list[str]:
    lines = ["## Rejections, refusals, dead letters", ""]
    if summary["rejections"]:
        lines += table(
            ["reason", "dossiers", "example"],
            [
                [r["reason_code"], fmt_int(r["count"]), r["example"] or "—"]
                for r in summary["rejections"]
            ],
        )
    else:
        lines.append("No dossier was rejected.")
    refused = summary["refused"]["by_reason"]
    lines += [
        "",
        "Never became a dossier: "
        + ("; ".join(f"{r} ({fmt_int(n)})" for r, n in refused.items()) or "none")
        + ".",
    ]
    dead = summary["deadletters"]
    lines += ["", f"Dead letters: {fmt_int(dead['total'])}" + (":" if dead["total"] else ".")]
    if dead["total"]:
        lines += [
            "",
            *table(
                ["topic", "reason", "events"],
                [[d["topic"], d["reason"], fmt_int(d["count"])] for d in dead["by_topic_reason"]],
            ),
        ]
    return [*lines, ""]


def _desk(summary: dict[str, Any]) -> list[str]:
    desk = summary["desk_backlog"]
    if not desk["districts"]:
        return ["## Desk backlog", "", "No desk dossiers.", ""]
    rows = [
        [d["code"], d["name"], fmt_int(d["peak"]), fmt_simtime(d["peak_simtime"])]
        for d in desk["districts"][:5]
    ]
    head = (
        f"Peak over all desks: **{fmt_int(desk['peak']['total'])}** dossiers waiting "
        f"at {fmt_simtime(desk['peak']['simtime'])} (simulated time)."
    )
    return ["## Desk backlog", "", head, "", *table(["code", "district", "peak", "at"], rows), ""]


def render_report(summary: dict[str, Any], plots: list[Path]) -> str:
    """The Markdown text of the report."""
    sc = summary["scenario"]
    title = sc["name"] + (f" (variant {sc['variant']})" if sc["variant"] else "")
    lines = [f"# Scenario report: {title}", "", f"> {sc['description']}", ""]
    lines += _what_was_run(summary) + _answer(summary) + demand_section(summary)
    lines += friction_section(summary) + campaign_section(summary) + records_section(summary)
    lines += archive_section(summary) + _procedures(summary)
    lines += (
        _latency(summary)
        + time_goes_section(summary)
        + _exceptions(summary)
        + _desk(summary)
        + deaths_section(summary)
    )
    lines += ["## Plots", ""]
    for plot in plots:
        lines += [f"![{PLOT_TITLES.get(plot.name, plot.stem)}]({plot.name})", ""]
    lines += [
        "## Data",
        "",
        summary["data_note"]["text"],
        "",
        "Every figure is defined in `summary.json` under `definitions`.",
        "",
    ]
    return "\n".join(lines)


def write_report(summary: dict[str, Any], out_dir: Path, plots: list[Path]) -> Path:
    """Write `report.md` into ``out_dir`` (plots linked by file name) and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.md"
    path.write_text(render_report(summary, plots), encoding="utf-8")
    return path
