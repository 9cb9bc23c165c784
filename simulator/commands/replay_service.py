"""`portalsim replay LOG --service NAME`: replay a log into one service alone, diff its outputs.

A fresh local broker and only that service (`simulator.replay.alone`); it is fed what it
consumed in the recorded run (`simulator.replay.feeder` says in which order and when),
its HTTP inputs are handed in again, its recorded policy changes done again through its
operations API, and its outputs are compared with its recorded ones
(`simulator.diff.outputs`). Exit codes: 0 the same outputs, 1 different outputs (or the
replay did not finish in time), 2 a bad log, scenario or option, or a policy change the
service cannot apply, 3 the log held forged or unsigned records (left out of the feed).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import typer
from rich.console import Console

from contracts.topics import all_topic_names
from simulator.commands.diff import EXIT_FORGED, default_diff_path, report_skipped
from simulator.diff.output_render import print_output_diff
from simulator.diff.outputs import OutputDiff, diff_outputs, procedures_of
from simulator.drive.driver import DriverError
from simulator.eventlog import EventLogError, EventLogReader, LogRecord
from simulator.eventlog.reader import check_current, check_value
from simulator.eventlog.scenarios import header_for, replay_scenario
from simulator.eventlog.signatures import SignatureCheck, trust_for
from simulator.replay.alone import AlonePlan, AloneResult, replay_alone
from simulator.replay.conversation import conversation_of, outputs_of, vetted
from simulator.replay.feeder import FeedError
from simulator.run.operations import PoliciesNotAppliedError
from simulator.scenarios.scenario import ScenarioError
from simulator.system.settings import SERVICE_NAMES

__all__ = [
    "ServiceReplayOptions",
    "default_service_replay_path",
    "refuse_other_options",
    "replay_service",
]


@dataclass(frozen=True)
class ServiceReplayOptions:
    """The options of `replay --service` (the others are refused with it)."""

    out: Path | None = None
    policies: dict[str, Any] | None = None
    scenario_file: str | None = None
    skip_bad: bool = False
    json_out: Path | None = None
    concurrency: int | None = None
    timeout: float | None = None
    quiet: float = 1.0
    trust: Path | None = None
    tick_ms: int = 100
    limit: int = 10


def default_service_replay_path(log: Path, service: str) -> Path:
    """Beside the log: `run.jsonl.gz` -> `run.replay-city_portal.jsonl.gz`."""
    head, dot, rest = log.name.partition(".")
    return log.with_name(f"{head}.replay-{service}{dot}{rest or 'jsonl.gz'}")


def refuse_other_options(given: dict[str, object]) -> None:
    """Exit 2 naming the whole-system options that were given with --service."""
    named = [name for name, value in given.items() if value]
    if named:
        raise typer.BadParameter(
            f"{', '.join(named)} cannot go with --service (a fresh broker, one service)",
            param_hint="--service",
        )


def _keeper(reader: EventLogReader, check: SignatureCheck) -> Callable[[LogRecord], bool]:
    """Which of the records the service hears or says are used: valid under today's
    contracts (else a bad log, or skipped with --skip-bad) and not forged. Only these are
    checked: the rest of the log does not concern the service."""

    def keeps(record: LogRecord) -> bool:
        try:
            check_value(reader.path, record)
            check_current(reader.path, record)
        except EventLogError as exc:
            if not reader.skip_bad:
                raise
            reader.skipped.append(exc)
            return False
        return check.passes(record)

    return keeps


def _fail(errors: Console, message: object, code: int) -> typer.Exit:
    errors.print(f"[red]error[/red] {message}", highlight=False)
    return typer.Exit(code)


def _print_result(result: AloneResult, console: Console) -> None:
    feed = result.feed
    console.print(
        f"fed {feed.fed:,} records ({feed.answers_fed:,} answers) in {feed.groups:,} groups; "
        f"waited {feed.waited_s:.1f} s for the service to consume them"
    )
    if result.inputs is not None:
        stats = result.inputs
        handed = {kind: n for kind, n in stats.handed_in.items() if kind != "policy"}
        kinds = ", ".join(f"{count:,} {kind}" for kind, count in handed.items())
        console.print(f"handed in {sum(handed.values()):,} HTTP inputs ({kinds or 'none'})")
        if stats.handed_in["policy"]:
            console.print(f"{stats.handed_in['policy']:,} recorded policy changes applied")
        for reason, count in stats.refused.most_common(5):
            console.print(f"  refused {count}: {reason}", highlight=False)
    if result.not_fed:
        console.print(
            f"[yellow]not fed: {len(result.not_fed):,} answers to events the service "
            "did not publish this time[/yellow]"
        )
    console.print(
        f"service ready in {result.started_s:.1f} s, replayed in {result.replay_s:.1f} s; "
        f"recorded {result.records:,} records"
    )


def _write_json(diff: OutputDiff, result: AloneResult, path: Path, console: Console) -> None:
    document = diff.as_json() | {
        "not_fed": [
            {"line": item.record.line, "topic": item.record.topic, "trigger": item.trigger}
            for item in result.not_fed
        ],
        "complete": result.complete,
    }
    text = orjson.dumps(document, option=orjson.OPT_INDENT_2)
    if str(path) == "-":
        sys.stdout.buffer.write(text + b"\n")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text)
    console.print(f"diff: {path}", highlight=False)


def replay_service(log: Path, service: str, options: ServiceReplayOptions) -> None:
    """Replay LOG into SERVICE alone and diff its outputs; raises `typer.Exit` (see above)."""
    if service not in SERVICE_NAMES:
        raise typer.BadParameter(
            f"{service!r} is not a service ({', '.join(SERVICE_NAMES)})", param_hint="--service"
        )
    started = time.monotonic()
    to_stdout = options.json_out is not None and str(options.json_out) == "-"
    console, errors = Console(stderr=to_stdout), Console(stderr=True)
    policies = options.policies or {}
    try:
        scenario = replay_scenario(log, options.scenario_file, policies)
        logged = replay_scenario(log, None, {})  # the recorded run's policies
        if scenario is None:
            raise ScenarioError("the log has no scenario: give --scenario FILE")
        reader = EventLogReader(log, skip_bad=options.skip_bad, validate=False)
        check = SignatureCheck(trust_for(reader.header, options.trust, str(log)))
        records = list(reader)
        conversation = vetted(conversation_of(records, service, str(log)), _keeper(reader, check))
    except (EventLogError, ScenarioError) as exc:
        raise _fail(errors, exc, 2) from None
    report_skipped(reader, errors)
    for line in check.summary(str(log)):
        errors.print(f"[red]{line}[/red]" if check.forged else line, highlight=False)
    out = options.out or default_service_replay_path(log, service)
    note = {"replay_of": str(log), "service": service, "policy": policies}
    plan = AlonePlan(
        service=service,
        conversation=conversation,
        out=out,
        header=header_for(scenario, all_topic_names(), origin="replay", note=note),
        scenario=scenario,
        trust=check.trust,
        logged=logged,
        concurrency=options.concurrency or scenario.concurrency,
        timeout_s=options.timeout or scenario.settle_timeout_s,
        quiet_s=options.quiet,
        tick_ms=options.tick_ms,
    )
    console.print(f"read {log} in {time.monotonic() - started:.1f} s", highlight=False)
    changes = conversation.inputs.count("policy")
    console.print(
        f"replaying into {service} alone: {len(conversation.feed):,} records to feed "
        f"({conversation.answers:,} answers), "
        f"{len(conversation.inputs.items) - changes:,} HTTP inputs, "
        f"{changes:,} recorded policy changes, {len(conversation.outputs):,} recorded outputs"
        + (f"; policies {policies}" if policies else "")
    )
    try:
        result = replay_alone(plan, console)
    except (DriverError, FeedError) as exc:
        raise _fail(errors, f"the service did not take its inputs: {exc}", 1) from None
    except PoliciesNotAppliedError as exc:
        raise _fail(errors, f"the replay stopped: a policy not applied: {exc}", 2) from None
    except ValueError as exc:
        raise _fail(errors, exc, 2) from None
    _print_result(result, console)
    try:
        replayed = outputs_of(EventLogReader(out, validate=False), service)
    except EventLogError as exc:
        raise _fail(errors, exc, 2) from None
    diff = diff_outputs(
        conversation.outputs,
        replayed,
        service=service,
        procedures=procedures_of(records),
        a_name=str(log),
        b_name=str(out),
    )
    print_output_diff(diff, console, options.limit)
    _write_json(diff, result, options.json_out or default_diff_path(out), console)
    console.print(f"done in {time.monotonic() - started:.1f} s")
    if not result.complete:
        errors.print("[red]the replay did not finish before the timeout[/red]")
    if check.forged:
        raise typer.Exit(EXIT_FORGED)
    raise typer.Exit(0 if diff.identical and result.complete else 1)
