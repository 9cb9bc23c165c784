"""A local broker's data folder as its JVM finds it: its mode, its configuration, its storage.

The folder's security mode is fixed when its storage is formatted (kept in
``security.json``, with the SCRAM users written into the KRaft metadata then); the
configuration (``server.properties`` and the log4j2 files) is written anew at every
start from the ports, the node's role, the mode and, in a secure mode, the admin's
password. :mod:`simulator.kafka_local.broker` starts and stops the JVM on such a folder.
"""

from __future__ import annotations

from pathlib import Path

from simulator.kafka_local.config import (
    NodeRole,
    Ports,
    is_formatted,
    log4j2_properties,
    render_properties,
    server_properties,
    write_atomic,
)
from simulator.kafka_local.errors import KafkaStartError
from simulator.kafka_local.paths import DataLayout
from simulator.kafka_local.process import format_storage
from simulator.kafka_local.security import (
    BrokerSecurity,
    load_security,
    save_security,
    scram_format_args,
    security_properties,
)

__all__ = ["folder_security", "format_once", "write_config"]


def folder_security(layout: DataLayout, asked: BrokerSecurity | None) -> BrokerSecurity:
    """The folder's mode once formatted, else the one asked for, else PLAINTEXT.

    Raises :class:`KafkaStartError` when another mode is asked of a formatted folder.
    """
    saved = load_security(layout.security_file)
    if saved is None and is_formatted(layout.kraft_dir):
        saved = BrokerSecurity.PLAINTEXT
    if saved is not None and asked is not None and saved is not asked:
        raise KafkaStartError(
            f"{layout.root} was formatted in {saved} mode, not {asked}; "
            "use another data folder (or remove this one) to change it"
        )
    return saved or asked or BrokerSecurity.PLAINTEXT


def write_config(
    layout: DataLayout,
    ports: Ports,
    role: NodeRole | None,
    security: BrokerSecurity,
    credentials: dict[str, str],
) -> None:
    """Write ``server.properties`` and the log4j2 files for ``ports``."""
    props = server_properties(ports, layout.kraft_dir, role)
    if security.enforced:  # holds the admin's password: its owner alone may read it
        props |= security_properties(security, ports, credentials["admin"])
    text = render_properties(props, "Kafka broker")
    write_atomic(layout.server_properties, text, mode=0o600 if security.enforced else 0o644)
    broker_log = render_properties(log4j2_properties(), "broker log")
    write_atomic(layout.log4j_properties, broker_log)
    tools_log = render_properties(log4j2_properties("WARN"), "storage tool log")
    write_atomic(layout.tools_log4j_properties, tools_log)


def format_once(
    java: Path,
    jars: Path,
    layout: DataLayout,
    security: BrokerSecurity,
    credentials: dict[str, str],
    cluster_id: str | None,
) -> None:
    """Format the storage (with the SCRAM users of ``credentials``) unless it is; keep the mode."""
    if not is_formatted(layout.kraft_dir):
        args = scram_format_args(credentials)
        format_storage(java, jars, layout, args, cluster_id=cluster_id)
        save_security(layout.security_file, security)
