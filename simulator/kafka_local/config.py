"""Broker configuration: cluster id, ports, ``server.properties`` and log4j2 settings."""

from __future__ import annotations

import base64
import json
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from services.kit.topics_admin import replication_for

#: The only address the local broker binds to.
HOST = "127.0.0.1"
#: Partitions of auto-created topics.
NUM_PARTITIONS = 3


def new_cluster_id() -> str:
    """Return a Kafka cluster id: URL-safe base64 of 16 random bytes, no padding.

    Like Kafka's ``Uuid.randomUuid().toString()``, it never starts with ``-``.
    """
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")
        if not value.startswith("-"):
            return value


def port_is_free(port: int, host: str = HOST) -> bool:
    """Tell whether a server could listen on ``host:port`` now (with ``SO_REUSEADDR``,
    as the JVM does, so a port in TIME_WAIT counts as free)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(exclude: frozenset[int] = frozenset(), host: str = HOST) -> int:
    """Return a port the OS reports free on ``host``, not in ``exclude``."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
        if port not in exclude:
            return port


@dataclass(frozen=True)
class Ports:
    """The client, controller and (with both listeners) SASL ports of one broker."""

    port: int
    controller_port: int
    sasl_port: int | None = None

    @property
    def bootstrap(self) -> str:
        """The client bootstrap address, ``127.0.0.1:PORT``."""
        return f"{HOST}:{self.port}"


def load_ports(path: Path) -> Ports | None:
    """Read ``ports.json``; ``None`` when missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        sasl = data.get("sasl_port")
        return Ports(
            port=int(data["port"]),
            controller_port=int(data["controller_port"]),
            sasl_port=int(sasl) if sasl is not None else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_ports(path: Path, ports: Ports) -> None:
    """Write ``ports.json`` atomically."""
    data = {"port": ports.port, "controller_port": ports.controller_port}
    if ports.sasl_port is not None:
        data["sasl_port"] = ports.sasl_port
    write_atomic(path, json.dumps(data, indent=2) + "\n")


def choose_ports(
    saved: Ports | None,
    port: int | None = None,
    controller_port: int | None = None,
    *,
    is_free: Callable[[int], bool] = port_is_free,
    pick_free: Callable[[frozenset[int]], int] = free_port,
    sasl: bool = False,
) -> Ports:
    """Decide the ports of a broker.

    Explicit ports win; otherwise the saved ones are reused so that a restart on the
    same data folder keeps its address. A saved controller port that is now taken or
    clashes with the client port is replaced (it is internal: with static voters it is
    not part of the formatted metadata). Missing ports are picked free. With ``sasl``, a
    second client port (the SASL listener) is kept like the client port, else picked free.
    """
    broker = port if port is not None else (saved.port if saved else pick_free(frozenset()))
    if controller_port is not None:
        controller = controller_port
    elif saved and saved.controller_port != broker and is_free(saved.controller_port):
        controller = saved.controller_port
    else:
        controller = pick_free(frozenset({broker}))
    if controller == broker:
        raise ValueError(f"client and controller ports must differ (both {broker})")
    sasl_port = None
    if sasl:
        taken = frozenset({broker, controller})
        kept = saved.sasl_port if saved else None
        sasl_port = kept if kept is not None and kept not in taken else pick_free(taken)
    return Ports(port=broker, controller_port=controller, sasl_port=sasl_port)


@dataclass(frozen=True)
class NodeRole:
    """One node of a cluster of ``size`` nodes, each a broker and a controller voter.

    ``voters`` is the controller port of every node, in node order (node ids from 1).
    """

    node_id: int
    voters: tuple[int, ...]

    @property
    def size(self) -> int:
        """How many nodes the cluster has."""
        return len(self.voters)

    @property
    def quorum_voters(self) -> str:
        """``controller.quorum.voters``: ``1@127.0.0.1:PORT,2@...``."""
        return ",".join(f"{i}@{HOST}:{port}" for i, port in enumerate(self.voters, start=1))


def server_properties(ports: Ports, log_dir: Path, role: NodeRole | None = None) -> dict[str, str]:
    """Return the settings of a KRaft broker-and-controller on 127.0.0.1: one node alone,
    or node ``role.node_id`` of a cluster, whose topics (the internal ones too) get the
    replication factor and ``min.insync.replicas`` of :func:`replication_for` its size."""
    listeners = f"PLAINTEXT://{HOST}:{ports.port},CONTROLLER://{HOST}:{ports.controller_port}"
    role = role or NodeRole(1, (ports.controller_port,))
    factor, min_insync = (str(n) for n in replication_for(role.size))
    # A node gives up (exits) when the quorum has not registered it within this (default
    # 60 s): three JVMs starting at once on a loaded 2-core machine took longer.
    quorum = {"initial.broker.registration.timeout.ms": "300000"} if role.size > 1 else {}
    return quorum | {
        "process.roles": "broker,controller",
        "node.id": str(role.node_id),
        "controller.quorum.voters": role.quorum_voters,
        "listeners": listeners,
        "advertised.listeners": listeners,
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(log_dir),
        "num.partitions": str(NUM_PARTITIONS),
        "auto.create.topics.enable": "true",
        "default.replication.factor": factor,
        "min.insync.replicas": min_insync,
        "offsets.topic.replication.factor": factor,
        "transaction.state.log.replication.factor": factor,
        "transaction.state.log.min.isr": min_insync,
        "share.coordinator.state.topic.replication.factor": factor,
        "share.coordinator.state.topic.min.isr": min_insync,
        "group.initial.rebalance.delay.ms": "0",
        # As many request threads as this machine has cores (defaults 3 and 8): measured with
        # `portalsim bench` on 2 cores, the broker used 19 CPU s instead of 22-26 for the same
        # 15,000 dossiers and the pipeline settled 280/s instead of 227-258.
        "num.network.threads": "2",
        "num.io.threads": "2",
    }


def log4j2_properties(root_level: str = "INFO") -> dict[str, str]:
    """Return a log4j2 configuration that logs to the console at ``root_level``."""
    return {
        "status": "warn",
        "name": "portalsim-kafka",
        "appender.console.type": "Console",
        "appender.console.name": "STDOUT",
        "appender.console.layout.type": "PatternLayout",
        "appender.console.layout.pattern": "[%d] %p %m (%c)%n",
        "rootLogger.level": root_level,
        "rootLogger.appenderRef.stdout.ref": "STDOUT",
    }


def render_properties(values: dict[str, str], header: str) -> str:
    """Render a Java properties file (values escaped: backslashes, leading blanks)."""
    lines = [f"# {header}", "# Written by portalsim; rewritten on every start."]
    for key, value in values.items():
        escaped = value.replace("\\", "\\\\")
        if escaped[:1] in (" ", "\t"):
            escaped = "\\" + escaped
        lines.append(f"{key}={escaped}")
    return "\n".join(lines) + "\n"


def parse_properties(text: str) -> dict[str, str]:
    """Parse the simple ``key=value`` properties written by :func:`render_properties`."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "!")):
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().replace("\\\\", "\\")
    return values


def is_formatted(log_dir: Path) -> bool:
    """Tell whether Kafka storage was already formatted in ``log_dir``."""
    return (log_dir / "meta.properties").is_file()


def write_atomic(path: Path, text: str, mode: int = 0o644) -> None:
    """Write ``text`` to ``path`` (permissions ``mode``) through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)
