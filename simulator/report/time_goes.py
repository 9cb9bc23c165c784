"""The report's "Where the time goes" section, from the run's spans (`simulator.traces`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.traces.folder import read_spans
from simulator.traces.time_spent import where_time_goes

__all__ = ["time_goes_section", "time_spent_of"]


def time_spent_of(out_dir: Path) -> dict[str, Any] | None:
    """The shares of wall latency per hop and per portal from `out_dir/traces`, if any."""
    folder = out_dir / "traces"
    return where_time_goes(read_spans(folder)) if folder.is_dir() else None


def _rows(rows: list[dict[str, Any]], key: str) -> list[str]:
    return [
        f"| {row[key]} | {100 * row['share']:.1f} % | {row['mean_ms_per_dossier']:,.1f} ms |"
        for row in rows
    ]


def time_goes_section(summary: dict[str, Any]) -> list[str]:
    """Markdown lines of the section (none when the run traced no dossier)."""
    spent = summary.get("time_spent")
    if not spent:
        return []
    return [
        "## Where the time goes",
        "",
        f"The wall latency of the {spent['traces']:,} traced dossiers (mean "
        f"{spent['mean_wall_ms']:,.1f} ms), split along each one's critical path "
        "(docs/watching.md): the share of the total in each hop and each portal, and the "
        "mean time a dossier spent there. `portalsim trace DOSSIER_ID --run DIR` shows one.",
        "",
        "| hop | share | per dossier |",
        "|---|---:|---:|",
        *_rows(spent["hops"], "hop"),
        "",
        "| portal | share | per dossier |",
        "|---|---:|---:|",
        *_rows(spent["portals"], "portal"),
        "",
    ]
