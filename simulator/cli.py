"""The `portalsim` command line: one typer app, one sub-app or command per module."""

from __future__ import annotations

import typer

from simulator.asyncapi_cli import asyncapi_command
from simulator.bench_cli import bench_command
from simulator.catalogue_cli import catalogue_command
from simulator.compare_cli import compare_command
from simulator.diff_cli import diff_command
from simulator.kafka_cli import kafka_app
from simulator.keys_cli import keys_app
from simulator.logging_cli import logging_options
from simulator.record_cli import record_command
from simulator.replay_cli import replay_command
from simulator.rights_cli import rights_command
from simulator.run_cli import run_command
from simulator.tokens_cli import tokens_command
from simulator.topics_cli import topics_app

app = typer.Typer(
    name="portalsim",
    help="Simulation of Hanoi's city portal and Vietnam's national public-service portals.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(kafka_app, name="kafka")
app.add_typer(topics_app, name="topics")
app.add_typer(keys_app, name="keys")
app.command("catalogue")(catalogue_command)
app.command("asyncapi")(asyncapi_command)
app.command("rights")(rights_command)
app.command("run")(run_command)
app.command("compare")(compare_command)
app.command("record")(record_command)
app.command("replay")(replay_command)
app.command("diff")(diff_command)
app.command("bench")(bench_command)
app.callback()(logging_options)
app.command("tokens")(tokens_command)


def main() -> None:
    """Entry point of the `portalsim` console script."""
    app()


if __name__ == "__main__":
    main()
