"""`portalsim tokens`: fresh tokens for a deployment, as a `.env` file for docker compose.

The plain tokens go to whoever drives the deployment (`portalsim run --against` reads
`PORTALSIM_OFFICIAL_TOKEN` and `PORTALSIM_DESK_TOKENS`), their SHA-256 hashes to the
services (`PORTALSIM_OFFICIAL_TOKEN_HASHES`, `PORTALSIM_DESK_TOKEN_HASHES`, which
deploy/docker-compose.yml hands to city_portal and one_stop).
"""

from __future__ import annotations

import json

import orjson
import typer

from simulator.system.tokens import RunCredentials

__all__ = ["env_lines", "tokens_command"]


def env_lines(credentials: RunCredentials) -> list[str]:
    """The `.env` lines giving these tokens to the simulator and their hashes to the services."""
    values = {
        "PORTALSIM_OFFICIAL_TOKEN": credentials.official or "",
        "PORTALSIM_DESK_TOKENS": orjson.dumps(dict(credentials.desks)).decode(),
        "PORTALSIM_OFFICIAL_TOKEN_HASHES": json.dumps(credentials.official_token_hashes()),
        "PORTALSIM_DESK_TOKEN_HASHES": json.dumps(credentials.desk_token_hashes()),
    }
    return [f"{name}='{value}'" for name, value in values.items()]


def tokens_command() -> None:
    """Print fresh tokens (an official one, one per desk) and their hashes as a .env file."""
    for line in env_lines(RunCredentials.generate()):
        typer.echo(line)
