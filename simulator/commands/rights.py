"""`portalsim rights`: write or check deploy/rights.yaml; apply it to a secure broker.

Without options the file is written from the topic registry; `--check` exits 1 when it
is stale. `--apply` creates the SCRAM users and makes the ACLs of a running secure
broker exactly those of the file, and creates the registered topics, as the super user
`admin` (the docker compose `rights` job). `--compose-env FILE` writes fresh random
passwords for the admin and each principal as compose variables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer

from contracts.rights import acl_entries, parse_rights, render_rights, rights_from_registry
from simulator.contract_files.committed import write_or_check
from simulator.kafka_local.config import write_atomic
from simulator.kafka_local.errors import KafkaLocalError
from simulator.kafka_local.paths import rights_path
from simulator.kafka_local.provision import provision
from simulator.kafka_local.security import ADMIN, admin_access, load_credentials, new_credentials

__all__ = ["ADMIN_PASSWORD_ENV", "RIGHTS_PATH", "password_env", "rights_command"]

#: The committed rights file, generated from the topic registry.
RIGHTS_PATH = rights_path()
#: The super user's password, for `--apply` and the compose broker.
ADMIN_PASSWORD_ENV = "PORTALSIM_KAFKA_ADMIN_PASSWORD"


def password_env(user: str) -> str:
    """The variable holding a principal's password: the setting its own process reads."""
    return ADMIN_PASSWORD_ENV if user == ADMIN else f"PORTALSIM_{user.upper()}_KAFKA_PASSWORD"


def passwords_from_env(users: list[str], environ: Mapping[str, str]) -> dict[str, str]:
    """The admin's and each user's password from their variables; exit 1 naming the missing."""
    names = {user: password_env(user) for user in [ADMIN, *users]}
    missing = [name for name in names.values() if not environ.get(name)]
    if missing:
        typer.echo(f"portalsim rights: set {', '.join(missing)}", err=True)
        raise typer.Exit(1)
    return {user: environ[name] for user, name in names.items()}


def _apply(rights_file: Path, bootstrap: str, credentials: Path | None) -> None:
    rights = parse_rights(rights_file.read_text(encoding="utf-8"))
    users = [r.user for r in rights]
    if credentials is not None:
        passwords = load_credentials(credentials)
    else:
        passwords = passwords_from_env(users, os.environ)
    try:
        provision(admin_access(bootstrap, passwords), passwords, acl_entries(rights))
    except (KafkaLocalError, KeyError) as exc:
        typer.echo(f"portalsim rights: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"applied {rights_file}: {len(users)} principals, their ACLs and the topics")


def _write_compose_env(path: Path) -> None:
    users = [r.user for r in rights_from_registry()]
    passwords = new_credentials(users)
    lines = [f"{password_env(user)}={password}" for user, password in passwords.items()]
    write_atomic(path, "\n".join(lines) + "\n", mode=0o600)
    typer.echo(f"wrote {path} (mode 0600): passwords of {ADMIN} and {', '.join(users)}")


def rights_command(
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when the committed file is stale.")
    ] = False,
    file: Annotated[Path, typer.Option("--file", help="The rights file.")] = RIGHTS_PATH,
    apply: Annotated[
        bool,
        typer.Option(
            "--apply",
            help="Create the users, ACLs and topics of the rights file on a secure broker, as "
            f"admin (passwords from --credentials, else ${ADMIN_PASSWORD_ENV} and "
            "$PORTALSIM_<USER>_KAFKA_PASSWORD).",
        ),
    ] = False,
    bootstrap: Annotated[
        str, typer.Option("--bootstrap", help="The SASL listener of the broker (--apply).")
    ] = "127.0.0.1:9092",
    credentials: Annotated[
        Path | None,
        typer.Option("--credentials", help="JSON principal -> password (--apply)."),
    ] = None,
    compose_env: Annotated[
        Path | None,
        typer.Option("--compose-env", help="Write fresh passwords as a compose env file."),
    ] = None,
) -> None:
    """Generate the rights file (who may write, read, join which group) from the topic registry."""
    if compose_env is not None:
        _write_compose_env(compose_env)
        return
    if apply:
        _apply(file, bootstrap, credentials)
        return
    write_or_check(
        file, render_rights(rights_from_registry()), check=check, regenerate="portalsim rights"
    )
