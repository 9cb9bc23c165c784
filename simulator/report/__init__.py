"""The report of a scenario run: summary.json, report.md, PNG plots; and run comparisons.

`build_summary` turns a run's `Observations` into figures; `write_run_report` writes the
folder; `compare_summaries` puts two runs side by side.
"""

from __future__ import annotations

from simulator.report.compare import compare_summaries, comparison_table, write_comparison
from simulator.report.markdown import write_report
from simulator.report.plots import PLOT_FILES, write_plots
from simulator.report.summary import build_summary
from simulator.report.writer import print_summary, write_run_report, write_summary_json

__all__ = [
    "PLOT_FILES",
    "build_summary",
    "compare_summaries",
    "comparison_table",
    "print_summary",
    "write_comparison",
    "write_plots",
    "write_report",
    "write_run_report",
    "write_summary_json",
]
