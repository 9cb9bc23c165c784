"""The `portalsim` command line: one typer app assembling the commands of `simulator.commands`."""

from __future__ import annotations

import typer

from simulator.commands.asyncapi import asyncapi_command
from simulator.commands.bench import bench_command
from simulator.commands.catalogue import catalogue_command
from simulator.commands.compare import compare_command
from simulator.commands.contracts import contracts_app
from simulator.commands.diff import diff_command
from simulator.commands.kafka import kafka_app
from simulator.commands.keys import keys_app
from simulator.commands.logging import logging_options
from simulator.commands.postgres import postgres_app
from simulator.commands.record import record_command
from simulator.commands.replay import replay_command
from simulator.commands.rights import rights_command
from simulator.commands.run import run_command
from simulator.commands.tokens import tokens_command
from simulator.commands.topics import topics_app
from simulator.commands.trace import trace_command

app = typer.Typer(
    name="portalsim",
    help="Simulation of Hanoi's city portal and Vietnam's national public-service portals.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(kafka_app, name="kafka")
app.add_typer(postgres_app, name="postgres")
app.add_typer(topics_app, name="topics")
app.add_typer(keys_app, name="keys")
app.add_typer(contracts_app, name="contracts")
app.command("catalogue")(catalogue_command)
app.command("asyncapi")(asyncapi_command)
app.command("rights")(rights_command)
app.command("run")(run_command)
app.command("compare")(compare_command)
app.command("record")(record_command)
app.command("replay")(replay_command)
app.command("diff")(diff_command)
app.command("bench")(bench_command)
app.command("trace")(trace_command)
app.callback()(logging_options)
app.command("tokens")(tokens_command)


def main() -> None:
    """Entry point of the `portalsim` console script."""
    app()


if __name__ == "__main__":
    main()
