"""A scenario's run and its variants' runs, their reports, and the verdict on the console.

Each run's summary and report are written (the variants' under `variants/`); each
variant is compared with the main run, the comparison appended to the main report and
kept in its `summary.json`; then the summary, the first unfinished dossiers, where the
report and the event log are. Exit 3 as soon as a run ended early (a service died and
was not restarted); exit 1 when a run timed out or left dossiers unfinished, lost or
duplicated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from simulator.report import build_summary, compare_summaries, print_summary, write_run_report
from simulator.report.compare import write_comparison
from simulator.run.plan import RunOutcome, RunPlan
from simulator.run.play import run_scenario

__all__ = ["run_and_report"]


def _summarise(plan: RunPlan, outcome: RunOutcome) -> dict[str, Any]:
    extra = {
        "demand_fingerprint": outcome.fingerprint,
        "timed_out": outcome.timed_out,
        "ended_early": outcome.ended_early,
    }
    summary = build_summary(
        plan.scenario,
        outcome.observations,
        wall_seconds=outcome.wall_seconds,
        seed=plan.seed,
        variant=plan.variant.name if plan.variant else None,
        extra=extra,
        supervision=outcome.supervision,
        warnings=outcome.warnings,
        read_back=outcome.read_back,
    )
    write_run_report(summary, plan.out)
    return summary


def _print_unfinished(summary: dict[str, Any], console: Console) -> None:
    unfinished = summary.get("unfinished_dossiers") or []
    if not unfinished:
        return
    console.print(
        f"[red]{summary['conservation']['unfinished']} dossiers never settled[/red]; first:"
    )
    for dossier in unfinished[:20]:
        console.print(
            f"  {dossier['dossier_code']} ({dossier.get('procedure_code')}): "
            f"last status {dossier.get('status')} by {dossier.get('by')}"
        )


def _ended_early(summary: dict[str, Any], out: Path, console: Console) -> None:
    """When a service died and was not restarted: say so, where the report is, and exit 3."""
    ended = summary["run"]["extra"].get("ended_early")
    if ended:
        console.print(f"[bold red]the run ended early[/bold red]: {escape(ended)}")
        console.print(f"report: {(out / 'report.md').resolve()}")
        raise typer.Exit(3)


def _failed(summary: dict[str, Any]) -> bool:
    timed_out = summary.get("run", {}).get("extra", {}).get("timed_out", False)
    return bool(timed_out or not summary.get("conservation", {}).get("ok", False))


def run_and_report(plan: RunPlan, console: Console) -> None:
    """The run and its variants, their reports, the summary on the console; exit 1 or 3."""
    scenario, out, record = plan.scenario, plan.out, plan.record_to
    console.print(f"[bold]{scenario.name}[/bold]: {scenario.description}")
    summary = _summarise(plan, run_scenario(plan, console))
    _ended_early(summary, out, console)
    failed = _failed(summary)
    for variant in scenario.variants:
        console.print(f"\n[bold]variant {variant.name}[/bold]: {variant.policies}")
        variant_plan = plan.of_variant(variant)
        variant_summary = _summarise(variant_plan, run_scenario(variant_plan, console))
        _ended_early(variant_summary, variant_plan.out, console)
        failed = failed or _failed(variant_summary)
        comparison = compare_summaries(summary, variant_summary)
        paths = write_comparison(comparison, out, f"compare-{variant.name}")
        with (out / "report.md").open("a", encoding="utf-8") as report:
            report.write(f"\n## Compared with variant `{variant.name}`\n\n")
            report.write(paths["markdown"].read_text(encoding="utf-8"))
            report.write(f"\nFull variant report: [variants/{variant.name}/report.md]")
            report.write(f"(variants/{variant.name}/report.md)\n")
        (out / "summary.json").write_bytes(
            orjson.dumps(
                {**summary, "variants": {variant.name: comparison}}, option=orjson.OPT_INDENT_2
            )
        )
    print_summary(summary, console)
    _print_unfinished(summary, console)
    console.print(f"\nreport: {(out / 'report.md').resolve()}")
    if record is not None:
        console.print(f"event log: {record.resolve()}")
    if failed:
        console.print("[red]the run did not finish cleanly (see unfinished/lost/duplicated)[/red]")
        raise typer.Exit(1)
