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
    unsigned: Annotated[
        bool,
        typer.Option("--unsigned", help="Run the services unsigned (to compare with signed)."),
    ] = False,
) -> None:
    """Inject dossiers straight into Kafka, wait for every settlement, compare with raw Kafka."""
    console = Console()
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
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
