"""What-if analysis: two runs' figures side by side with deltas (B minus A).

`compare_summaries` is pure; `write_comparison` writes `<stem>.json` and `<stem>.md`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from rich.table import Table

from simulator.report.archive import archive_compared
from simulator.report.campaign import campaign_compared
from simulator.report.friction import friction_compared
from simulator.report.labels import label
from simulator.report.markdown import table
from simulator.report.records import records_compared

__all__ = ["compare_summaries", "comparison_markdown", "comparison_table", "write_comparison"]

SECTION_TITLES = {
    "counts": "Counts",
    "settled_per_portal": "Settled per portal",
    "rejections_by_reason": "Rejections by reason",
    "refused_by_reason": "Never became a dossier, by reason",
    "accounts_refused_by_reason": "Accounts refused, by reason",
    "latency_p50_ms": "Wall latency p50 per path (ms)",
    "latency_p95_ms": "Wall latency p95 per path (ms)",
    "within_legal_limit_pct": "Settled within the legal limit per procedure (%)",
    "deadletters_by_topic": "Dead letters by topic",
    "desk_backlog_peak": "Desk backlog peak (dossiers)",
    "friction": "Online share and abandonment",
    "id_card_campaign": "ID-card campaign",
    "population_records": "Identity-check failures by category",
    "e_archive": "Digitisation and the e-archive",
}

Number = int | float | None


def _delta(a: Any, b: Any) -> Number:
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return None
    if isinstance(a, numbers) and isinstance(b, numbers):
        return round(b - a, 3)
    return None


def _row(figure: str, a: Any, b: Any) -> dict[str, Any]:
    return {"figure": figure, "a": a, "b": b, "delta": _delta(a, b)}


def _pct(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 2)


def _side_by_side(a: dict[str, Any], b: dict[str, Any], missing: Any = 0) -> list[dict[str, Any]]:
    keys = list(a) + [k for k in b if k not in a]
    return [_row(label(k), a.get(k, missing), b.get(k, missing)) for k in keys]


def _counts(s: dict[str, Any]) -> dict[str, Any]:
    counts = s["counts"]
    return {
        "submitted": counts["submitted"],
        "approved": counts["approved"],
        "rejected": counts["rejected"],
        "unfinished": counts["unfinished"],
        "lost": counts["lost"],
        "duplicated": counts["duplicated"],
        "approval rate (%)": _pct(counts["approval_rate"]),
        "linked steps": s["linked_steps"]["count"],
        "never became a dossier": s["refused"]["total"],
        "accounts refused": sum(s["accounts"]["refused_by_reason"].values()),
        "dead letters": s["deadletters"]["total"],
        "desk backlog peak": s["desk_backlog"]["peak"]["total"],
        "wall seconds": s["run"]["wall_seconds"],
    }


def _latency(s: dict[str, Any], key: str) -> dict[str, Any]:
    return {path: row[key] for path, row in s["latency_per_path"].items()}


def _within(s: dict[str, Any]) -> dict[str, Any]:
    return {
        f"{row['number'] or '?'}. {row['name_en']}": _pct(row["share_within_legal_limit"])
        for row in s["procedures"].values()
        if row["judged_against_limit"]
    }


def _desk(s: dict[str, Any]) -> dict[str, Any]:
    peaks = {"all desks": s["desk_backlog"]["peak"]["total"]}
    peaks.update({d["name"]: d["peak"] for d in s["desk_backlog"]["districts"][:10]})
    return peaks


def _side(s: dict[str, Any]) -> dict[str, Any]:
    sc = s["scenario"]
    name = sc["name"] + (f"/{sc['variant']}" if sc.get("variant") else "")
    return {"name": name, "seed": s["run"]["seed"], "wall_seconds": s["run"]["wall_seconds"]}


def compare_summaries(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Figures of two runs side by side; ``delta`` is B - A (None when not numeric)."""
    pairs = {
        "counts": (_counts(a), _counts(b), None),
        "friction": (friction_compared(a), friction_compared(b), None),
        "id_card_campaign": (campaign_compared(a), campaign_compared(b), None),
        "population_records": (records_compared(a), records_compared(b), None),
        "e_archive": (archive_compared(a), archive_compared(b), None),
        "settled_per_portal": (a["settled_per_portal"], b["settled_per_portal"], 0),
        "rejections_by_reason": (
            {r["reason_code"]: r["count"] for r in a["rejections"]},
            {r["reason_code"]: r["count"] for r in b["rejections"]},
            0,
        ),
        "refused_by_reason": (a["refused"]["by_reason"], b["refused"]["by_reason"], 0),
        "accounts_refused_by_reason": (
            a["accounts"]["refused_by_reason"],
            b["accounts"]["refused_by_reason"],
            0,
        ),
        "latency_p50_ms": (_latency(a, "p50_ms"), _latency(b, "p50_ms"), None),
        "latency_p95_ms": (_latency(a, "p95_ms"), _latency(b, "p95_ms"), None),
        "within_legal_limit_pct": (_within(a), _within(b), None),
        "deadletters_by_topic": (a["deadletters"]["by_topic"], b["deadletters"]["by_topic"], 0),
        "desk_backlog_peak": (_desk(a), _desk(b), 0),
    }
    return {
        "a": _side(a),
        "b": _side(b),
        "sections": {name: _side_by_side(x, y, missing) for name, (x, y, missing) in pairs.items()},
    }


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}" if isinstance(value, int) else str(value)


def _show_delta(value: Number) -> str:
    if value is None:
        return ""
    return "0" if value == 0 else ("+" if value > 0 else "") + _show(value)


def comparison_markdown(comparison: dict[str, Any]) -> str:
    """The comparison as Markdown: one table per non-empty section."""
    a, b = comparison["a"], comparison["b"]
    lines = [
        f"# Comparison: {a['name']} (A) and {b['name']} (B)",
        "",
        f"A: seed {a['seed']}, {a['wall_seconds']:.1f} s wall; "
        f"B: seed {b['seed']}, {b['wall_seconds']:.1f} s wall. Δ is B minus A.",
        "",
    ]
    for name, rows in comparison["sections"].items():
        if not rows:
            continue
        body = [[r["figure"], _show(r["a"]), _show(r["b"]), _show_delta(r["delta"])] for r in rows]
        lines += [f"## {SECTION_TITLES.get(name, name)}", ""]
        lines += [*table(["figure", "A", "B", "Δ"], body), ""]
    return "\n".join(lines)


def comparison_table(comparison: dict[str, Any]) -> Table:
    """A rich table of every section, B - A in the last column."""
    a, b = comparison["a"], comparison["b"]
    grid = Table(title=f"A = {a['name']}   B = {b['name']}", title_justify="left")
    grid.add_column("figure")
    grid.add_column("A", justify="right")
    grid.add_column("B", justify="right")
    grid.add_column("Δ (B - A)", justify="right")
    for name, rows in comparison["sections"].items():
        if not rows:
            continue
        grid.add_row(f"[bold]{SECTION_TITLES.get(name, name)}[/bold]", "", "", "")
        for r in rows:
            delta = _show_delta(r["delta"])
            shown = f"[bold]{delta}[/bold]" if r["delta"] else delta
            grid.add_row(f"  {r['figure']}", _show(r["a"]), _show(r["b"]), shown)
    return grid


def write_comparison(
    comparison: dict[str, Any], out_dir: Path, stem: str = "compare"
) -> dict[str, Path]:
    """Write `<stem>.json` and `<stem>.md` into ``out_dir``; {"json": path, "markdown": path}."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / f"{stem}.json", out_dir / f"{stem}.md"
    json_path.write_bytes(orjson.dumps(comparison, option=orjson.OPT_INDENT_2) + b"\n")
    md_path.write_text(comparison_markdown(comparison), encoding="utf-8")
    return {"json": json_path, "markdown": md_path}
