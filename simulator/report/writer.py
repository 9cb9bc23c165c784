"""Writing a run's report folder (summary.json, the PNG plots, report.md) and the terminal view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from simulator.report.labels import fmt_int, fmt_ms, fmt_pct, label
from simulator.report.markdown import write_report
from simulator.report.plots import write_plots
from simulator.report.time_goes import time_spent_of

__all__ = ["print_summary", "write_run_report", "write_summary_json"]

#: Portals listed one a row in the terminal summary (the rest summed).
PORTAL_ROWS = 5


def write_summary_json(summary: dict[str, Any], out_dir: Path) -> Path:
    """`summary.json` (indent 2, keys in the summary's own order)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "summary.json"
    path.write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
    return path


def write_run_report(summary: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write summary.json, the plots and report.md into ``out_dir``; name -> path.

    The run's spans (`out_dir/traces`), if any, add `time_spent` to the summary.
    """
    spent = time_spent_of(out_dir)
    if spent is not None:
        summary["time_spent"] = spent
    paths = {"summary": write_summary_json(summary, out_dir)}
    plots = write_plots(summary, out_dir)
    paths.update({plot.stem: plot for plot in plots})
    paths["report"] = write_report(summary, out_dir, plots)
    return paths


def print_summary(summary: dict[str, Any], console: Console) -> None:
    """A compact table of the headline figures."""
    counts, cons = summary["counts"], summary["conservation"]
    sc = summary["scenario"]
    title = sc["name"] + (f" / {sc['variant']}" if sc["variant"] else "")
    grid = Table(title=f"portalsim run: {title}", show_header=False, title_justify="left")
    grid.add_column("figure", style="bold")
    grid.add_column("value")
    ok = "[green]holds[/green]" if cons["ok"] else "[red]FAILS[/red]"
    grid.add_row("wall time", f"{summary['run']['wall_seconds']:.1f} s")
    grid.add_row("submitted", fmt_int(counts["submitted"]))
    grid.add_row("approved", f"{fmt_int(counts['approved'])} ({fmt_pct(counts['approval_rate'])})")
    grid.add_row("rejected", fmt_int(counts["rejected"]))
    grid.add_row("unfinished", fmt_int(counts["unfinished"]))
    grid.add_row("lost / duplicated", f"{cons['lost']} / {cons['duplicated']}  {ok}")
    grid.add_row("refused (never a dossier)", fmt_int(summary["refused"]["total"]))
    portals = list(summary["settled_per_portal"].items())
    shown = portals if len(portals) <= PORTAL_ROWS else portals[: PORTAL_ROWS - 1]
    for portal, count in shown:
        grid.add_row(f"settled by {label(portal)}", fmt_int(count))
    if rest := portals[len(shown) :]:
        grid.add_row(
            f"settled by {len(rest)} other portals", fmt_int(sum(count for _, count in rest))
        )
    overall = summary["latency_per_path"].get("all")
    if overall and overall["count"]:
        grid.add_row(
            "wall latency p50 / p95 / p99",
            " / ".join(fmt_ms(overall[k]) for k in ("p50_ms", "p95_ms", "p99_ms")),
        )
    grid.add_row("dead letters", fmt_int(summary["deadletters"]["total"]))
    grid.add_row("desk backlog peak", fmt_int(summary["desk_backlog"]["peak"]["total"]))
    console.print(grid)
