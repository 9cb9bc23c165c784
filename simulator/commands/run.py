"""`portalsim run SCENARIO`: play a scenario and write its report.

The command's side: its options made into a run plan, the scenario loaded and refused
when a setting could never take effect, stop signals turned into exit codes. The runs,
their reports and the verdict are `run_and_report.py`.

Exit codes: 0 a clean run; 1 dossiers unfinished, lost or duplicated, or a timeout; 2 a
scenario refused; 3 a service died and was not restarted (the run ended early); 128 + N
stopped by signal N (SIGTERM, SIGHUP), everything the run started stopped first.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from simulator.commands.logging import services_log_level
from simulator.commands.run_and_report import run_and_report
from simulator.commands.system_options import BrokersOption, parse_replicas, parse_store
from simulator.drive.client_trace import DEFAULT_SAMPLE
from simulator.run.operations import PoliciesNotAppliedError
from simulator.run.plan import RunPlan
from simulator.run.signals import StopSignal, stop_signals_interrupt
from simulator.scenarios.checks import refusals
from simulator.scenarios.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    resolve_scenario,
)
from simulator.system.restarts import RestartMode, RestartPolicy
from simulator.system.tokens import RunCredentials
from simulator.watch.session import RunWatch, WatchOptions

__all__ = ["parse_against", "parse_replicas", "run_command"]


def parse_against(value: str | None) -> dict[str, str] | None:
    """`city_portal=URL,one_stop=URL,...` (all four services) to a mapping."""
    if not value:
        return None
    urls = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
    missing = {"city_portal", "one_stop", "population_db", "national_portal"} - set(urls)
    if missing:
        raise typer.BadParameter(f"--against lacks {', '.join(sorted(missing))}")
    return urls


def _load(scenario_name: str, console: Console) -> Scenario:
    """The scenario, valid and with no setting that could never take effect; else exit 2."""
    try:
        path = resolve_scenario(scenario_name)
        scenario = load_scenario(path)
    except ScenarioError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from None
    refused = refusals(scenario)
    if refused:
        details = "\n".join(f"  {escape(str(finding))}" for finding in refused)
        console.print(f"[red]{path}: settings that could never take effect:\n{details}[/red]")
        raise typer.Exit(2)
    return scenario


def run_command(
    ctx: typer.Context,
    scenario_name: Annotated[str, typer.Argument(help="A scenario file or a built-in name.")],
    out: Annotated[Path | None, typer.Option("--out", help="Report folder.")] = None,
    bootstrap: Annotated[
        str | None, typer.Option("--bootstrap", help="Use this Kafka (host:port).")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Override the demand's seed.")] = None,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            help="Drive a running deployment: city_portal=URL,one_stop=URL,"
            "population_db=URL,national_portal=URL (needs --bootstrap).",
        ),
    ] = None,
    secure: Annotated[
        bool,
        typer.Option(
            "--secure",
            help="Run on a local broker enforcing deploy/rights.yaml (SASL/SCRAM, ACLs): each "
            "service and the simulator connect as their own principals.",
        ),
    ] = False,
    record: Annotated[
        Path | None,
        typer.Option(
            "--record",
            help="Record the run's event log to this file (.gz: compressed); each variant's "
            "beside it (run.jsonl.gz -> run.<variant>.jsonl.gz).",
        ),
    ] = None,
    official_token: Annotated[
        str | None,
        typer.Option(
            "--official-token",
            envvar="PORTALSIM_OFFICIAL_TOKEN",
            help="With --against: the deployment's official token (`portalsim tokens`); "
            "better given by the environment variable.",
            show_default=False,
        ),
    ] = None,
    desk_tokens: Annotated[
        str | None,
        typer.Option(
            "--desk-tokens",
            envvar="PORTALSIM_DESK_TOKENS",
            help="With --against: the deployment's desk tokens, JSON unit code -> token.",
            show_default=False,
        ),
    ] = None,
    keys: Annotated[
        Path | None,
        typer.Option(
            "--keys",
            help="With --against: the deployment's key folder; the run's simulated clock "
            "(simulated.clock.advanced) is signed with its simulator key, as a signed "
            "deployment requires.",
        ),
    ] = None,
    brokers: BrokersOption = 1,
    store: Annotated[
        str,
        typer.Option(
            "--store",
            help="Where the services keep their state: sqlite (a file each) or postgresql (a "
            "fresh local server, a schema per service shared by its replicas).",
        ),
    ] = "sqlite",
    replicas: Annotated[
        str | None,
        typer.Option(
            "--replicas",
            help="Processes per service, e.g. national_portal=3,city_portal=2 (one consumer "
            "group each; needs --store postgresql).",
            show_default=False,
        ),
    ] = None,
    restart: Annotated[
        RestartMode,
        typer.Option(
            "--restart",
            help="A started service that dies: restart it with back-off (on-failure), or end "
            "the run at once naming it (no), to study the failure.",
        ),
    ] = RestartMode.ON_FAILURE,
    live: Annotated[
        bool,
        typer.Option("--live", help="Serve a live page of the run on loopback (docs/watching.md)."),
    ] = False,
    live_port: Annotated[
        int, typer.Option("--live-port", help="The live page's port (0: a free one).")
    ] = 0,
    live_hold: Annotated[
        bool,
        typer.Option("--live-hold", help="Keep the live page up after the run until Ctrl-C."),
    ] = False,
    prometheus: Annotated[
        bool,
        typer.Option(
            "--prometheus",
            help="Run a Prometheus server (the `prometheus` binary) scraping the services and "
            "the simulator; its files go to OUT/prometheus, the report quotes it.",
        ),
    ] = False,
    trace_sample: Annotated[
        float, typer.Option("--trace-sample", min=0, max=1, help="Share of dossiers traced.")
    ] = DEFAULT_SAMPLE,
) -> None:
    """Play a scenario end to end and write summary.json, report.md and plots."""
    console = Console()
    # aiokafka logs transient leader elections of freshly created topics at ERROR; it retries.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    scenario = _load(scenario_name, console)
    if seed is not None:
        scenario = scenario.model_copy(update={"seed": seed})
    store_kind, scaled = parse_store(store, replicas)
    if brokers > 1 and (bootstrap or secure):
        raise typer.BadParameter(
            "--brokers starts a fresh local cluster: not with --bootstrap/--secure"
        )
    report_dir = out or Path("reports") / scenario.name
    plan = RunPlan(
        scenario,
        report_dir,
        bootstrap=bootstrap,
        against=parse_against(against),
        secure=secure,
        brokers=brokers,
        tokens=RunCredentials(official_token or None, orjson.loads(desk_tokens or "{}")),
        record_to=record,
        keys=keys,
        log_level=services_log_level(ctx),
        restart=RestartPolicy(restart),
        store=store_kind,
        replicas=scaled,
        trace_sample=trace_sample,
        watch=ctx.with_resource(
            RunWatch(
                WatchOptions(live_port if live else None, live_hold, prometheus),
                report_dir,
                console,
            )
        ),
    )
    try:
        with stop_signals_interrupt():
            run_and_report(plan, console)
    except PoliciesNotAppliedError as refused:
        console.print(f"[red]the run does not start: {escape(str(refused))}[/red]")
        raise typer.Exit(2) from None
    except StopSignal as stop:
        if stop.__cause__ is not None:  # what the stop interrupted went wrong on its way out
            console.print(f"while stopping: {escape(repr(stop.__cause__))}")
        console.print(f"[red]stopped by {stop.name}[/red]: everything the run started is stopped")
        raise typer.Exit(128 + stop.signum) from None
