"""The CLI's logging: `portalsim [--log-level LEVEL] [--log-json] COMMAND ...`.

Every command logs like a service does (services/kit/logging.py: personal data masked),
to stderr. The level given here also goes to every service a run starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from services.kit.logging import configure_logging

__all__ = ["LogOptions", "logging_options", "services_log_level"]

CLI_DEFAULT_LEVEL = "INFO"
SERVICES_DEFAULT_LEVEL = "WARNING"


@dataclass(frozen=True)
class LogOptions:
    """The logging options given on the command line."""

    level: str | None
    json_lines: bool


def logging_options(
    ctx: typer.Context,
    log_level: Annotated[
        str | None,
        typer.Option(
            "--log-level",
            envvar="PORTALSIM_LOG_LEVEL",
            help="DEBUG, INFO, WARNING or ERROR: the CLI's log level and that of the services "
            f"a run starts (default: the CLI {CLI_DEFAULT_LEVEL}, "
            f"the services {SERVICES_DEFAULT_LEVEL}).",
        ),
    ] = None,
    log_json: Annotated[
        bool,
        typer.Option(
            "--log-json", envvar="PORTALSIM_LOG_JSON", help="Log JSON lines (else console lines)."
        ),
    ] = False,
) -> None:
    """Configure the CLI's logging before any command runs."""
    configure_logging("simulator", log_level or CLI_DEFAULT_LEVEL, json_lines=log_json)
    ctx.obj = LogOptions(log_level, log_json)


def services_log_level(ctx: typer.Context) -> str:
    """The log level for the services a command starts: the one given, else WARNING."""
    options = ctx.find_object(LogOptions)
    return (options.level if options else None) or SERVICES_DEFAULT_LEVEL
