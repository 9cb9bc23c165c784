"""`portalsim replay LOG`: hand a log's inputs to a fresh system again, record it, diff it.

Exit codes: 0 done (with --diff: and the outcomes are the same), 1 different outcomes or
dossiers left unsettled, 2 a bad log, scenario or option (the message says which), 3 the
log held forged or unsigned records (reported; forged inputs are not replayed).
With `--service NAME` the log is replayed into that service alone and its outputs are
diffed (`simulator.commands.replay_service`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console

from contracts.catalogue import load_catalogue
from contracts.topics import all_topic_names
from contracts.worktime import HANOI_TZ
from simulator.commands.diff import (
    EXIT_FORGED,
    SKIP_BAD_HELP,
    TRUST_HELP,
    compare_logs,
    default_diff_path,
    report_diff,
)
from simulator.commands.diff import report_skipped as _report_skipped
from simulator.commands.replay_service import (
    ServiceReplayOptions,
    refuse_other_options,
    replay_service,
)
from simulator.commands.run import parse_against
from simulator.commands.system_options import BrokersOption
from simulator.drive.driver import DriverError
from simulator.eventlog import EventLogError, EventLogReader
from simulator.eventlog.scenarios import header_for, replay_scenario
from simulator.eventlog.signatures import SignatureCheck, trust_for
from simulator.replay.inputs import InputFilter, Inputs, extract_inputs
from simulator.replay.replayer import Pace
from simulator.replay.session import ReplayPlan, ReplayResult, run_replay
from simulator.run.operations import PoliciesNotAppliedError
from simulator.scenarios.scenario import ScenarioError

__all__ = ["default_replay_path", "parse_policy", "replay_command"]


def default_replay_path(log: Path) -> Path:
    """Beside the log: `run.jsonl.gz` -> `run.replay.jsonl.gz`."""
    head, dot, rest = log.name.partition(".")
    return log.with_name(f"{head}.replay{dot}{rest or 'jsonl.gz'}")


def parse_policy(values: list[str]) -> dict[str, Any]:
    """`key=value` pairs; a value is read as JSON when it is JSON, else as text."""
    policies: dict[str, Any] = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{item!r}: expected key=value", param_hint="--policy")
        try:
            policies[key.strip()] = orjson.loads(raw)
        except orjson.JSONDecodeError:
            policies[key.strip()] = raw
    return policies


def _procedure(value: str | None) -> str | None:
    if value is None:
        return None
    catalogue = load_catalogue()
    try:
        return (
            catalogue.by_number(int(value)) if value.isdigit() else catalogue.by_code(value)
        ).code
    except (KeyError, ValueError):
        raise typer.BadParameter(
            f"{value!r} is not a procedure code or number 1-25", param_hint="--only-procedure"
        ) from None


def _simtime(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO date or time", param_hint=option
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=HANOI_TZ)


def _print_rate(result: ReplayResult, inputs: Inputs, console: Console) -> None:
    stats = result.stats
    kinds = ", ".join(
        f"{stats.handed_in[k]:,} {k}" for k in ("account", "online", "desk", "injected")
    )
    if stats.handed_in["policy"]:
        kinds += f"; {stats.handed_in['policy']:,} recorded policy changes applied"
    console.print(
        f"handed in {stats.total:,} inputs ({kinds}) in {result.inputs_s:.1f} s: "
        f"{result.inputs_per_s:,.0f} inputs/s"
    )
    for reason, count in stats.refused.most_common(5):
        console.print(f"  refused {count}: {reason}", highlight=False)
    if stats.changed_ids:
        console.print(f"[yellow]{len(stats.changed_ids)} dossiers got another id[/yellow]")
    console.print(
        f"settled {result.settled:,} of {len(stats.dossier_ids):,} replayed dossiers; "
        f"recorded {result.records:,} records in {result.wall_s:.1f} s"
    )
    console.print(
        f"[bold]replay rate: {result.records_per_s:,.0f} records/s, "
        f"{result.inputs_per_s:,.0f} inputs/s[/bold]"
    )


def replay_command(
    log: Annotated[Path, typer.Argument(help="The event log to replay (.jsonl or .jsonl.gz).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="The new run's log (default: LOG.replay...).")
    ] = None,
    bootstrap: Annotated[
        str | None, typer.Option("--bootstrap", help="Use this Kafka (host:port).")
    ] = None,
    against: Annotated[
        str | None,
        typer.Option("--against", help="Replay into a running deployment (see `run`)."),
    ] = None,
    brokers: BrokersOption = 1,
    speed: Annotated[str, typer.Option("--speed", help="max, real or a factor N.")] = "max",
    only_procedure: Annotated[
        str | None, typer.Option("--only-procedure", help="Only this procedure (code or 1-25).")
    ] = None,
    from_time: Annotated[
        str | None, typer.Option("--from", help="Only dossiers received from this simtime.")
    ] = None,
    to_time: Annotated[
        str | None, typer.Option("--to", help="Only dossiers received before this simtime.")
    ] = None,
    policy: Annotated[
        list[str] | None, typer.Option("--policy", help="Change a policy: key=value (repeat).")
    ] = None,
    scenario_file: Annotated[
        str | None, typer.Option("--scenario", help="Replay under this scenario instead.")
    ] = None,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help=SKIP_BAD_HELP)] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Diff the outcomes with LOG.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Where the diff goes.")] = None,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, help="Inputs in flight.")
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Seconds to wait for settlements.")
    ] = None,
    quiet: Annotated[float, typer.Option("--quiet", help="Seconds without records = done.")] = 2.0,
    trust: Annotated[Path | None, typer.Option("--trust", help=TRUST_HELP)] = None,
    keys: Annotated[
        Path | None,
        typer.Option(
            "--keys",
            help="Key folder of the system replayed into (default: new keys for a fresh "
            "system); injected dossiers are signed with its simulator key.",
        ),
    ] = None,
    service: Annotated[
        str | None,
        typer.Option(
            "--service",
            help="Replay into this service alone (city_portal, population_db, "
            "national_portal, one_stop), fed what it consumed, and diff its outputs.",
        ),
    ] = None,
    tick: Annotated[
        int,
        typer.Option("--tick", min=0, help="With --service: ms of recorded time fed as one group."),
    ] = 100,
    limit: Annotated[
        int, typer.Option("--limit", help="With --service: differences shown in detail.")
    ] = 10,
) -> None:
    """Re-inject a log's inputs (accounts, online and desk dossiers) and record the new run.

    With --service NAME: replay the log into that service alone and diff its outputs
    (exit 0 same, 1 different, 2 bad log or option, 3 forged records).
    """
    console, errors = Console(), Console(stderr=True)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    if service is not None:
        given = {"--bootstrap": bootstrap, "--against": against, "--speed": speed != "max"}
        given["--brokers"] = brokers > 1
        given |= {"--only-procedure": only_procedure, "--from": from_time, "--to": to_time}
        refuse_other_options(given | {"--diff": diff, "--keys": keys})
        options = ServiceReplayOptions(
            out=out,
            policies=parse_policy(policy or []),
            scenario_file=scenario_file,
            skip_bad=skip_bad,
            json_out=json_out,
            concurrency=concurrency,
            timeout=timeout,
            quiet=quiet,
            trust=trust,
            tick_ms=tick,
            limit=limit,
        )
        replay_service(log, service, options)
    try:
        pace = Pace.parse(speed)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--speed") from None
    policies = parse_policy(policy or [])
    selection = InputFilter(
        _procedure(only_procedure), _simtime(from_time, "--from"), _simtime(to_time, "--to")
    )
    try:
        scenario = replay_scenario(log, scenario_file, policies)
        logged = replay_scenario(log, None, {}) if scenario_file or policies else scenario
        reader = EventLogReader(log, skip_bad=skip_bad)
        check = SignatureCheck(trust_for(reader.header, trust, str(log)))
        inputs = extract_inputs(check.verified(reader), str(log), selection)
    except (EventLogError, ScenarioError) as exc:
        errors.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    _report_skipped(reader, errors)
    for line in check.summary(str(log)):
        errors.print(f"[red]{line}[/red]" if check.forged else line, highlight=False)
    for problem in inputs.unreplayable[:10]:
        errors.print(f"[yellow]not replayable[/yellow] {problem}", highlight=False)
    out = out or default_replay_path(log)
    note = {"replay_of": str(log), "speed": str(pace), "policy": policies}
    filters = {"only_procedure": selection.procedure_code, "from": from_time, "to": to_time}
    note.update({key: value for key, value in filters.items() if value})
    plan = ReplayPlan(
        inputs=inputs,
        out=out,
        header=header_for(scenario, all_topic_names(), origin="replay", note=note),
        pace=pace,
        scenario=scenario,
        concurrency=concurrency or (scenario.concurrency if scenario else 32),
        settle_timeout_s=timeout or (scenario.settle_timeout_s if scenario else 600.0),
        quiet_s=quiet,
        bootstrap=bootstrap,
        brokers=brokers,
        against=parse_against(against),
        keys=keys,
        logged=logged,
    )
    console.print(
        f"replaying {len(inputs.items):,} inputs of {log} at speed {pace}"
        + (f" with {policies}" if policies else "")
    )
    try:
        result = run_replay(plan, console)
    except DriverError as exc:
        errors.print(f"[red]the system did not take the inputs[/red]: {exc}", highlight=False)
        raise typer.Exit(1) from None
    except PoliciesNotAppliedError as exc:
        errors.print(f"[red]the replay stopped: a policy not applied[/red]: {exc}", highlight=False)
        raise typer.Exit(2) from None
    except ValueError as exc:
        errors.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    _print_rate(result, inputs, console)
    console.print(f"event log: {out}")
    failed = not result.complete
    if failed:
        errors.print("[red]not every replayed dossier settled before the timeout[/red]")
    if diff:
        roots = inputs.dossier_ids if selection.active else None
        try:
            compared = compare_logs(
                log, out, skip_bad=skip_bad, errors=errors, roots=roots, trust_a=trust
            )
        except EventLogError as exc:
            errors.print(f"[red]error[/red] {exc}", highlight=False)
            raise typer.Exit(2) from None
        report_diff(compared, json_out or default_diff_path(out), console)
        failed = failed or not compared.identical
    if check.forged:
        raise typer.Exit(EXIT_FORGED)
    raise typer.Exit(1 if failed else 0)
