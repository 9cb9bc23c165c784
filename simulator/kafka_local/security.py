"""Secure mode of the local broker: SASL/SCRAM-SHA-512 listeners, the ACL authorizer, passwords.

A data folder's mode is chosen when its storage is formatted (the SCRAM users are written
into the KRaft metadata then) and kept in ``security.json``:

- ``plaintext``: one PLAINTEXT listener, no authorizer (the default).
- ``sasl``: one SASL_PLAINTEXT listener; every client authenticates with SCRAM-SHA-512 and
  the StandardAuthorizer refuses what no ACL allows (``portalsim kafka up --secure``).
- ``plaintext+sasl``: both listeners; the PLAINTEXT one serves ``User:ANONYMOUS``, made a
  super user, and the SASL one enforces the rights (the test session's broker).

The controller listener stays PLAINTEXT on 127.0.0.1: the broker reaches its own
controller there as ``User:ANONYMOUS``, which is therefore a super user in every secure
mode (a local client could use the controller port too; the broker binds loopback only).
"""

from __future__ import annotations

import json
import secrets
from enum import StrEnum
from pathlib import Path

from pydantic import SecretStr

from contracts.rights import parse_rights
from services.kit.kafka_access import SASL_MECHANISM, KafkaAccess
from simulator.kafka_local.config import HOST, Ports, write_atomic

__all__ = [
    "ADMIN",
    "BrokerSecurity",
    "admin_access",
    "load_credentials",
    "load_security",
    "new_credentials",
    "save_credentials",
    "save_security",
    "scram_format_args",
    "security_properties",
]

#: The super user that creates topics, users and ACLs.
ADMIN = "admin"
_SUPER_USERS = f"User:{ADMIN};User:ANONYMOUS"
_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


class BrokerSecurity(StrEnum):
    """Which client listeners a broker has, and whether rights are enforced."""

    PLAINTEXT = "plaintext"
    SASL = "sasl"
    PLAINTEXT_AND_SASL = "plaintext+sasl"

    @property
    def enforced(self) -> bool:
        """True when a SASL listener with ACLs runs."""
        return self is not BrokerSecurity.PLAINTEXT


def secure_port(security: BrokerSecurity, ports: Ports) -> int | None:
    """The port of the SASL listener (None without one)."""
    if security is BrokerSecurity.SASL:
        return ports.port
    if security is BrokerSecurity.PLAINTEXT_AND_SASL:
        return ports.sasl_port
    return None


def security_properties(
    security: BrokerSecurity, ports: Ports, admin_password: str
) -> dict[str, str]:
    """The ``server.properties`` entries of a secure mode (empty for PLAINTEXT)."""
    if not security.enforced:
        return {}
    controller = f"CONTROLLER://{HOST}:{ports.controller_port}"
    protocols = "CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT"
    if security is BrokerSecurity.SASL:
        clients = f"SASL_PLAINTEXT://{HOST}:{ports.port}"
        inter_broker = "SASL_PLAINTEXT"
    else:
        clients = f"PLAINTEXT://{HOST}:{ports.port},SASL_PLAINTEXT://{HOST}:{ports.sasl_port}"
        inter_broker = "PLAINTEXT"
        protocols += ",PLAINTEXT:PLAINTEXT"
    jaas = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{ADMIN}" password="{admin_password}";'
    )
    return {
        "listeners": f"{clients},{controller}",
        "advertised.listeners": clients,
        "inter.broker.listener.name": inter_broker,
        "listener.security.protocol.map": protocols,
        "sasl.enabled.mechanisms": SASL_MECHANISM,
        "sasl.mechanism.inter.broker.protocol": SASL_MECHANISM,
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": jaas,
        "authorizer.class.name": _AUTHORIZER,
        "allow.everyone.if.no.acl.found": "false",
        "super.users": _SUPER_USERS,
    }


def new_credentials(users: list[str]) -> dict[str, str]:
    """A fresh random password for the admin and each user."""
    return {name: secrets.token_hex(24) for name in [ADMIN, *users]}


def scram_format_args(credentials: dict[str, str]) -> list[str]:
    """The ``kafka-storage format`` arguments that create every SCRAM user."""
    args: list[str] = []
    for name, password in credentials.items():
        args += ["--add-scram", f"{SASL_MECHANISM}=[name={name},password={password}]"]
    return args


def save_credentials(path: Path, credentials: dict[str, str]) -> None:
    """Write the credentials file (principal name -> password), readable by its owner only."""
    write_atomic(path, json.dumps(credentials, indent=2) + "\n", mode=0o600)


def load_credentials(path: Path) -> dict[str, str]:
    """Read the credentials file; empty when missing."""
    try:
        return {str(k): str(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    except FileNotFoundError:
        return {}


def save_security(path: Path, security: BrokerSecurity) -> None:
    """Record the mode the folder was formatted with."""
    write_atomic(path, json.dumps({"security": str(security)}) + "\n")


def load_security(path: Path) -> BrokerSecurity | None:
    """The mode a folder was formatted with (None when never recorded)."""
    try:
        return BrokerSecurity(json.loads(path.read_text(encoding="utf-8"))["security"])
    except FileNotFoundError:
        return None


def admin_access(bootstrap: str, credentials: dict[str, str]) -> KafkaAccess:
    """The super user's SASL access to a secure broker."""
    return KafkaAccess(bootstrap, "SASL_PLAINTEXT", ADMIN, SecretStr(credentials[ADMIN]))


def credentials_of(path: Path, rights_file: Path) -> dict[str, str]:
    """The passwords saved in `path`, plus new ones (saved) for principals `rights_file` added."""
    saved = load_credentials(path)
    users = [r.user for r in parse_rights(rights_file.read_text(encoding="utf-8"))]
    fresh = new_credentials([u for u in users if u not in saved])
    credentials = {**fresh, **saved}
    if credentials != saved:
        save_credentials(path, credentials)
    return credentials
