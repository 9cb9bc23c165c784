"""`portalsim bench`: the pipeline's throughput and latency against a raw-Kafka baseline."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console

from simulator.bench.runner import BenchOptions, run_bench
from simulator.bench.table import print_bench
from simulator.commands.system_options import BrokersOption, parse_store

__all__ = ["bench_command"]


def bench_command(
    dossiers: Annotated[int, typer.Option("--dossiers", min=1, help="Dossiers injected.")] = 50_000,
    population: Annotated[
        int, typer.Option("--population", min=1_000, help="People in population_db.")
    ] = 1_000_000,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write every figure to this JSON file.")
    ] = None,
    rate: Annotated[
        float | None,
        typer.Option(
            "--rate", min=0.1, help="Dossiers/s of the latency run (default: half the peak)."
        ),
    ] = None,
    latency_seconds: Annotated[
        float, typer.Option("--latency-seconds", min=1, help="Length of the latency run.")
    ] = 20.0,
    http: Annotated[
        bool,
        typer.Option(
            "--http/--no-http", help="Also run the HTTP path (accounts, dossiers) beside it."
        ),
    ] = True,
    http_dossiers: Annotated[
        int, typer.Option("--http-dossiers", min=1, help="Dossiers posted on the HTTP path.")
    ] = 5_000,
    logs: Annotated[
        Path | None, typer.Option("--logs", help="Copy the services' logs to this folder.")
    ] = None,
    bootstrap: Annotated[
        str | None, typer.Option("--bootstrap", help="Use this Kafka (default: a fresh local one).")
    ] = None,
    tracing: Annotated[
        str,
        typer.Option(
            "--tracing",
            help="off, or file: the services write spans, and untraced and traced runs of "
            "--dossiers each measure tracing's cost in the same session.",
        ),
    ] = "off",
    trace_sample: Annotated[
        float,
        typer.Option("--trace-sample", min=0, max=1, help="With --tracing file: share traced."),
    ] = 1.0,
    unsigned: Annotated[
        bool,
        typer.Option("--unsigned", help="Run the services unsigned (to compare with signed)."),
    ] = False,
    brokers: BrokersOption = 1,
    store: Annotated[
        str, typer.Option("--store", help="sqlite or postgresql (see `run`).")
    ] = "sqlite",
    replicas: Annotated[
        str | None,
        typer.Option(
            "--replicas",
            help="Processes per service, e.g. national_portal=3 (needs --store postgresql).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Inject dossiers straight into Kafka, wait for every settlement, compare with raw Kafka."""
    console = Console()
    store_kind, scaled = parse_store(store, replicas)
    if brokers > 1 and bootstrap:
        raise typer.BadParameter("--brokers starts a fresh local cluster: not with --bootstrap")
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    if tracing not in ("off", "file"):
        raise typer.BadParameter("--tracing is off or file")
    options = BenchOptions(
        dossiers=dossiers,
        population=population,
        rate=rate,
        latency_seconds=latency_seconds,
        http=http,
        http_dossiers=http_dossiers,
        bootstrap=bootstrap,
        logs_to=logs,
        signed=not unsigned,
        tracing=tracing,
        trace_sample=trace_sample,
        brokers=brokers,
        store=store_kind,
        replicas=scaled,
    )
    result = run_bench(options, console)
    result["command"] = "portalsim bench " + " ".join(sys.argv[2:] if len(sys.argv) > 1 else [])
    print_bench(result, console)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
        console.print(f"figures: {json_out.resolve()}")
    if result["throughput"]["timed_out"]:
        raise typer.Exit(1)
