"""``portalsim kafka``: run a real Apache Kafka broker on 127.0.0.1 without Docker.

``up`` starts (or finds) the broker of a data folder and prints its bootstrap address
alone on the last line of stdout; ``status`` exits 0 when it runs and 3 when not;
``down`` stops it. With ``up --brokers 3`` the folder holds a cluster of three nodes
(``simulator.kafka_local.cluster``): ``up`` prints every node's address, comma-separated,
and ``status`` and ``down`` cover every node. Errors are one ``portalsim kafka: ...`` line
on stderr, exit 1.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from simulator.kafka_local import (
    BrokerStatus,
    KafkaLocalError,
    LocalKafka,
    LocalKafkaCluster,
    cluster_size,
    default_data_dir,
    ensure_jars,
    find_java,
    jars_cached,
    port_is_free,
)
from simulator.kafka_local.config import load_ports
from simulator.kafka_local.paths import DataLayout
from simulator.kafka_local.security import BrokerSecurity

#: The client port ``up`` prefers for a new data folder, when it is free.
DEFAULT_PORT = 9092
#: Exit code of ``status`` when no broker runs.
EXIT_NOT_RUNNING = 3
#: Exit code of ``status`` when some nodes of a cluster run and others do not.
EXIT_DEGRADED = 4

kafka_app = typer.Typer(
    name="kafka",
    help="Run a real Apache Kafka broker locally from its Maven jars (no Docker needed).",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Broker data folder (default: $PORTALSIM_HOME/kafka, else <repo>/.portalsim/kafka).",
        show_default=False,
    ),
]


def _data_dir(data: Path | None) -> Path:
    """Return the absolute data folder chosen by ``--data`` or the default."""
    return (data or default_data_dir()).expanduser().resolve()


def _fail(message: str) -> NoReturn:
    """Print ``portalsim kafka: MESSAGE`` on stderr and exit 1."""
    err.print(f"portalsim kafka: {escape(message)}")
    raise typer.Exit(1)


def _initial_port(data_dir: Path, port: int | None) -> int | None:
    """Return ``--port``, else ``None`` for a folder with saved ports, else 9092 if free."""
    if port is not None or load_ports(DataLayout(data_dir).ports_file) is not None:
        return port
    return DEFAULT_PORT if port_is_free(DEFAULT_PORT) else None


def _where(status: BrokerStatus) -> str:
    """Describe a running broker: address and data folder."""
    return f"{status.bootstrap} (data: {escape(str(status.data_dir))})"


def _security(status: BrokerStatus, layout: DataLayout) -> str:
    """Describe the security of a running broker."""
    if status.security == BrokerSecurity.PLAINTEXT:
        return "none (PLAINTEXT, no authorizer)"
    return (
        f"SASL/SCRAM-SHA-512 at {status.secure_bootstrap}, ACLs enforced ({status.security}); "
        f"credentials: {escape(str(layout.credentials_file))}"
    )


@kafka_app.command()
def up(
    port: Annotated[
        int | None,
        typer.Option(
            "--port",
            help="Client port (default: the folder's saved port, else 9092 if free, else any).",
            show_default=False,
        ),
    ] = None,
    data: DataOption = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for readiness.")] = 120.0,
    secure: Annotated[
        bool,
        typer.Option(
            "--secure",
            help="SASL/SCRAM-SHA-512 only, with the ACLs of deploy/rights.yaml; a user and a "
            "random password per principal in <data>/credentials.json (chosen when the folder "
            "is first formatted; a secure folder stays secure).",
        ),
    ] = False,
    brokers: Annotated[
        int,
        typer.Option(
            "--brokers",
            min=1,
            help="Nodes (each a broker and a controller; 3: topics with three replicas, "
            "two in sync). More than one: PLAINTEXT only, in <data>/node-N.",
        ),
    ] = 1,
) -> None:
    """Start the broker (or cluster) of a data folder, or report the one already running."""
    data_dir = _data_dir(data)
    size = cluster_size(data_dir)
    if brokers > 1 or size is not None:
        if secure:
            _fail("--secure runs one broker; a cluster (--brokers) is PLAINTEXT only")
        _cluster_up(
            LocalKafkaCluster(data_dir, brokers if brokers > 1 else size or 1, port), timeout
        )
        return
    security = BrokerSecurity.SASL if secure else None
    kafka = LocalKafka(data_dir, port=_initial_port(data_dir, port), security=security)
    running = kafka.status()
    if running is not None:
        out.print(f"Kafka already running at {_where(running)}")
        if port is not None and port != running.port:
            err.print(f"note: --port {port} ignored; stop the broker first to change its port")
        if secure and running.security == BrokerSecurity.PLAINTEXT:
            err.print(
                "note: --secure ignored; this folder's broker runs PLAINTEXT (use another --data)"
            )
        print(running.bootstrap)
        return
    try:
        find_java()
        if not jars_cached():
            with err.status("Fetching the Kafka jars with Maven (first run only)..."):
                ensure_jars()
        with err.status("Starting Kafka..."):
            address = kafka.start(timeout=timeout)
    except KafkaLocalError as exc:
        _fail(str(exc))
    status = kafka.status()
    where = _where(status) if status else f"{address} (data: {escape(str(data_dir))})"
    out.print(f"Kafka is running at {where}")
    if kafka.security.enforced:
        out.print(
            f"SASL/SCRAM-SHA-512 with ACLs; credentials: {escape(str(kafka.credentials_file))}"
        )
    print(address)


def _cluster_up(cluster: LocalKafkaCluster, timeout: float) -> None:
    """Start the nodes of a cluster that do not run; print every node's address."""
    try:
        find_java()
        if not jars_cached():
            with err.status("Fetching the Kafka jars with Maven (first run only)..."):
                ensure_jars()
        with err.status(f"Starting a Kafka cluster of {cluster.brokers} nodes..."):
            address = cluster.start(timeout=timeout)
    except (KafkaLocalError, ValueError) as exc:
        _fail(str(exc))
    out.print(f"Kafka cluster of {cluster.brokers} nodes (data: {escape(str(cluster.data_dir))})")
    for node_id, running in enumerate(cluster.status(), start=1):
        out.print(f"  node {node_id}: " + (running.bootstrap if running else "not running"))
    print(address)


def _cluster_status(data_dir: Path, size: int) -> None:
    """Show each node of a cluster; exit 0 when every node runs, 3 when none, 4 otherwise."""
    cluster = LocalKafkaCluster(data_dir, size)
    nodes = cluster.status()
    up_count = sum(1 for n in nodes if n is not None)
    out.print(f"Kafka cluster: {up_count} of {size} nodes running (data: {escape(str(data_dir))})")
    for node_id, running in enumerate(nodes, start=1):
        layout = DataLayout(cluster.node_dir(node_id))
        where = f"{running.bootstrap}, pid {running.pid}" if running else "not running"
        out.print(f"  node {node_id}: {where} (log: {escape(str(layout.broker_log))})")
    if up_count == 0:
        raise typer.Exit(EXIT_NOT_RUNNING)
    print(cluster.bootstrap)
    if up_count < size:
        raise typer.Exit(EXIT_DEGRADED)


@kafka_app.command()
def status(data: DataOption = None) -> None:
    """Show the broker (or every node of a cluster) of a data folder; exit 0 when running,
    3 when not (a cluster with some nodes down: 4)."""
    data_dir = _data_dir(data)
    size = cluster_size(data_dir)
    if size is not None:
        _cluster_status(data_dir, size)
        return
    running = LocalKafka(data_dir).status()
    if running is None:
        out.print(f"Kafka is not running (data: {escape(str(data_dir))})")
        raise typer.Exit(EXIT_NOT_RUNNING)
    uptime = datetime.now(UTC) - running.started_at
    layout = DataLayout(running.data_dir)
    out.print(f"Kafka is running at {_where(running)}")
    out.print(f"  pid:             {running.pid}")
    out.print(f"  controller port: {running.controller_port}")
    out.print(f"  started at:      {running.started_at.isoformat(timespec='seconds')}")
    out.print(f"  uptime:          {int(uptime.total_seconds())}s")
    out.print(f"  log:             {escape(str(layout.broker_log))}")
    out.print(f"  security:        {_security(running, layout)}")
    print(running.bootstrap)


@kafka_app.command()
def down(
    data: DataOption = None,
    timeout: Annotated[float, typer.Option(help="Seconds before SIGKILL.")] = 60.0,
) -> None:
    """Stop the broker (or every node of a cluster) of a data folder (nothing to do if
    none runs)."""
    data_dir = _data_dir(data)
    size = cluster_size(data_dir)
    if size is not None:
        try:
            stopped = LocalKafkaCluster(data_dir, size).stop(timeout=timeout)
        except KafkaLocalError as exc:
            _fail(str(exc))
        pids = ", ".join(str(s.pid) for s in stopped) or "none was running"
        out.print(
            f"Kafka cluster stopped ({size} nodes; pids: {pids}; data: {escape(str(data_dir))})"
        )
        return
    kafka = LocalKafka(data_dir)
    running = kafka.status()
    try:
        kafka.stop(timeout=timeout)
    except KafkaLocalError as exc:
        _fail(str(exc))
    if running is None:
        out.print(f"Kafka is not running (data: {escape(str(data_dir))})")
    else:
        out.print(f"Kafka stopped: pid {running.pid} at {_where(running)}")


if __name__ == "__main__":
    kafka_app(prog_name="portalsim kafka")
