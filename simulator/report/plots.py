"""The run's PNG plots (matplotlib, headless Agg backend), one function per plot.

Every plot has a title, axis labels with units and readable ticks, and still draws
(with a note) when its data is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simulator.report.labels import label, short_name

__all__ = ["PLOT_FILES", "PLOT_TITLES", "write_plots"]

DPI = 110
_MPL_VERSION = tuple(int(part) for part in matplotlib.__version__.split(".")[:2])
#: Horizontal box plots: `orientation` since matplotlib 3.10 (`vert` is deprecated there).
HORIZONTAL: dict[str, Any] = (
    {"orientation": "horizontal"} if _MPL_VERSION >= (3, 10) else {"vert": False}
)
PLOT_TITLES: dict[str, str] = {
    "settled_per_portal.png": "Dossiers settled per portal",
    "processing_days_vs_limit.png": "Simulated processing days against the legal limit",
    "wall_latency_per_path.png": "Wall latency from submission to settlement, per path",
    "throughput.png": "Throughput over wall time",
    "desk_backlog.png": "One-stop desk digitisation backlog over simulated time",
    "rejections_by_reason.png": "Rejections by reason",
    "id_card_queue.png": "ID-card applications waiting for their card over simulated time",
}
PLOT_FILES = tuple(PLOT_TITLES)


def _figure(width: float = 9.0, height: float = 5.0) -> tuple[Figure, Axes]:
    fig, ax = plt.subplots(figsize=(width, height))
    ax.grid(True, axis="both", alpha=0.3)
    ax.set_axisbelow(True)
    return fig, ax


def _empty(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=13)
    ax.set_xticks([])
    ax.set_yticks([])


def _hbars(ax: Axes, names: list[str], values: list[int], color: str) -> None:
    positions = list(range(len(names)))
    bars = ax.barh(positions, values, color=color)
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.bar_label(bars, labels=[f"{v:,}" for v in values], padding=3, fontsize=9)
    ax.margins(x=0.12)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def plot_settled_per_portal(summary: dict[str, Any], ax: Axes) -> None:
    """Horizontal bars: root dossiers settled by each portal."""
    settled = summary["settled_per_portal"]
    ax.set_title(PLOT_TITLES["settled_per_portal.png"])
    if not settled:
        _empty(ax, "no settled dossiers")
        return
    _hbars(ax, [label(p) for p in settled], list(settled.values()), "#3a78b5")
    ax.set_xlabel("dossiers settled (count)")
    ax.set_ylabel("settled by")


def plot_processing_days(summary: dict[str, Any], ax: Axes) -> None:
    """Mean and p95 simulated working days per procedure, with its legal limit marked."""
    rows = [r for r in summary["procedures"].values() if r["days_taken"]["count"]]
    ax.set_title(PLOT_TITLES["processing_days_vs_limit.png"])
    if not rows:
        _empty(ax, "no settled dossiers")
        return
    xs = list(range(len(rows)))
    width = 0.4
    ax.bar(
        [x - width / 2 for x in xs],
        [r["days_taken"]["mean"] for r in rows],
        width,
        label="mean",
        color="#3a78b5",
    )
    ax.bar(
        [x + width / 2 for x in xs],
        [r["days_taken"]["p95"] for r in rows],
        width,
        label="p95",
        color="#9ec3e6",
    )
    limits = [(x, r["legal_limit_days"]) for x, r in zip(xs, rows, strict=True)]
    limited = [(x, limit) for x, limit in limits if limit is not None]
    if limited:
        ax.scatter(
            [x for x, _ in limited],
            [limit for _, limit in limited],
            marker="_",
            s=500,
            linewidths=2.5,
            color="#c0392b",
            zorder=3,
            label="legal limit (0 = same day)",
        )
    names = [f"{r['number'] or '?'}. {short_name(r['name_en'], 30)}" for r in rows]
    ax.set_xticks(xs, names, rotation=55, ha="right", fontsize=8)
    ax.set_xlabel("procedure")
    ax.set_ylabel("simulated working days")
    ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=9)


def plot_latency(summary: dict[str, Any], ax: Axes) -> None:
    """Box plot (log scale) of wall latency samples per path."""
    samples = {p: v for p, v in summary["plot_data"]["latency_samples_ms"].items() if v}
    ax.set_title(PLOT_TITLES["wall_latency_per_path.png"])
    if not samples:
        _empty(ax, "no latency measured (no settled dossiers)")
        return
    data = [[max(value, 1) for value in values] for values in samples.values()]
    ax.boxplot(data, whis=(5, 95), showfliers=False, **HORIZONTAL)
    ax.set_yticks(
        range(1, len(samples) + 1), [f"{label(p)} (n={len(v):,})" for p, v in samples.items()]
    )
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("wall latency (ms, log scale; box 25-75%, whiskers 5-95%)")
    ax.set_ylabel("path")


def plot_throughput(summary: dict[str, Any], ax: Axes) -> None:
    """Settlements/s and events/s over wall seconds, fault windows shaded."""
    series = summary["plot_data"]["throughput"]
    ax.set_title(PLOT_TITLES["throughput.png"])
    if not series["t_s"]:
        _empty(ax, "no events observed")
        return
    ax.plot(series["t_s"], series["events_per_s"], color="#9ec3e6", label="bus events/s")
    ax.plot(
        series["t_s"],
        series["settlements_per_s"],
        color="#1f4e79",
        lw=2,
        label="dossiers settled/s",
    )
    for i, fault in enumerate(summary["throughput"]["faults"]):
        ax.axvspan(
            fault["start_s"],
            fault["end_s"],
            color="#e74c3c",
            alpha=0.15,
            label="fault window" if i == 0 else None,
        )
        ax.text(
            fault["start_s"],
            0.97,
            f" {fault['service']} {fault['kind']}",
            fontsize=8,
            va="top",
            transform=ax.get_xaxis_transform(),
            color="#a93226",
        )
    ax.set_xlabel(f"wall time since start (s; {summary['throughput']['bucket_s']} s buckets)")
    ax.set_ylabel("rate (per second)")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right", fontsize=9)


def plot_desk_backlog(summary: dict[str, Any], ax: Axes) -> None:
    """Total and top-5 districts' digitisation backlog over simulated time (steps)."""
    backlog = summary["plot_data"]["desk_backlog"]
    ax.set_title(PLOT_TITLES["desk_backlog.png"])
    if not backlog["total"]["simtime"]:
        _empty(ax, "no desk dossiers")
        return

    def draw(simtimes: list[str], values: list[int], **style: Any) -> None:
        times = [datetime.fromisoformat(t) for t in simtimes]
        ax.step(times, values, where="post", **style)  # type: ignore[arg-type]

    total = backlog["total"]
    draw(total["simtime"], total["backlog"], color="black", lw=2, label="all desks")
    for district in backlog["districts"].values():
        draw(district["simtime"], district["backlog"], lw=1.2, label=district["name"])
    tz = datetime.fromisoformat(total["simtime"][0]).tzinfo
    formatter = mdates.DateFormatter("%d %b %H:%M", tz=tz)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(formatter)
    ax.figure.autofmt_xdate()
    ax.set_xlabel("simulated time (Hanoi)")
    ax.set_ylabel("dossiers waiting to be digitised")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=8)


def plot_rejections(summary: dict[str, Any], ax: Axes) -> None:
    """Horizontal bars: rejected root dossiers by reason code."""
    rows = summary["rejections"]
    ax.set_title(PLOT_TITLES["rejections_by_reason.png"])
    if not rows:
        _empty(ax, "no rejections")
        return
    _hbars(ax, [r["reason_code"] for r in rows], [r["count"] for r in rows], "#c0392b")
    ax.set_xlabel("dossiers rejected (count)")
    ax.set_ylabel("reason code")


def plot_id_card_queue(summary: dict[str, Any], ax: Axes) -> None:
    """ID-card applications received and not yet settled, over simulated time (a step)."""
    queue = summary["plot_data"].get("id_card_queue") or {}
    ax.set_title(PLOT_TITLES["id_card_queue.png"])
    if not queue.get("simtime"):
        _empty(ax, "no ID-card applications")
        return
    times = [datetime.fromisoformat(t) for t in queue["simtime"]]
    ax.step(times, queue["waiting"], where="post", color="#1f618d", lw=1.6)  # type: ignore[arg-type]
    formatter = mdates.DateFormatter("%d %b %Y", tz=times[0].tzinfo)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(formatter)
    ax.figure.autofmt_xdate()
    ax.set_xlabel("simulated time (Hanoi)")
    ax.set_ylabel("applications waiting for a card")
    ax.set_ylim(bottom=0)


PLOTTERS: dict[str, tuple[Callable[[dict[str, Any], Axes], None], tuple[float, float]]] = {
    "settled_per_portal.png": (plot_settled_per_portal, (9, 5)),
    "processing_days_vs_limit.png": (plot_processing_days, (12, 6)),
    "wall_latency_per_path.png": (plot_latency, (10, 5)),
    "throughput.png": (plot_throughput, (11, 5)),
    "desk_backlog.png": (plot_desk_backlog, (11, 5.5)),
    "rejections_by_reason.png": (plot_rejections, (9, 5)),
    "id_card_queue.png": (plot_id_card_queue, (11, 5)),
}


def write_plots(summary: dict[str, Any], out_dir: Path) -> list[Path]:
    """Draw every plot of ``summary`` into ``out_dir``; the paths written, in order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (plot, size) in PLOTTERS.items():
        fig, ax = _figure(*size)
        try:
            plot(summary, ax)
            fig.tight_layout()
            path = out_dir / name
            fig.savefig(path, dpi=DPI)
            written.append(path)
        finally:
            plt.close(fig)
    return written
