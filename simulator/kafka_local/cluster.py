"""A local Kafka cluster: several KRaft nodes on 127.0.0.1, each a broker and a controller.

The nodes live in ``DATA/node-1``, ``DATA/node-2``, ... (each a :class:`LocalKafka` folder
of its own: ports, data, log, state), ``DATA/cluster.json`` records the cluster's size
and id. Every node votes in the controller quorum, so the cluster keeps a controller and
serves clients while a majority runs (two of three). Topics get three replicas, two of
which must hold every acknowledged record (``server_properties`` and
``services.kit.topics_admin.replication_for``). PLAINTEXT only: a secure broker is one node.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from pathlib import Path

from simulator.kafka_local.broker import LOCK_SLACK, LocalKafka
from simulator.kafka_local.config import (
    NodeRole,
    Ports,
    free_port,
    load_ports,
    new_cluster_id,
    write_atomic,
)
from simulator.kafka_local.errors import KafkaLocalError, KafkaStartError
from simulator.kafka_local.jars import ensure_jars, find_java
from simulator.kafka_local.locking import file_lock
from simulator.kafka_local.paths import DataLayout
from simulator.kafka_local.process import terminate
from simulator.kafka_local.state import BrokerStatus

__all__ = ["CLUSTER_FILE", "LocalKafkaCluster", "cluster_size"]

#: The file naming a cluster folder's size and id.
CLUSTER_FILE = "cluster.json"


def cluster_size(data_dir: Path) -> int | None:
    """The number of nodes of the cluster in ``data_dir``; None when it is not a cluster's."""
    try:
        return int(json.loads((data_dir / CLUSTER_FILE).read_text(encoding="utf-8"))["brokers"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class LocalKafkaCluster:
    """``brokers`` local Kafka nodes in ``data_dir``, started and stopped together."""

    def __init__(self, data_dir: Path, brokers: int = 3, port: int | None = None) -> None:
        """Describe the cluster; ``port`` is the first node's client port (else saved or free)."""
        if brokers < 2:
            raise ValueError("a cluster has two nodes or more; one is a LocalKafka")
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.brokers = brokers
        self._port = port

    def __repr__(self) -> str:
        """Show the data folder and the size."""
        return f"LocalKafkaCluster(data_dir={str(self.data_dir)!r}, brokers={self.brokers})"

    def node_dir(self, node_id: int) -> Path:
        """The folder of node ``node_id`` (from 1)."""
        return self.data_dir / f"node-{node_id}"

    def _cluster_id(self) -> str:
        """The id the nodes are formatted with, chosen once and kept in ``cluster.json``."""
        path = self.data_dir / CLUSTER_FILE
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            if int(saved["brokers"]) != self.brokers:
                raise KafkaStartError(
                    f"{self.data_dir} holds a cluster of {saved['brokers']} brokers, not "
                    f"{self.brokers}; use another data folder (or remove this one)"
                )
            return str(saved["cluster_id"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        if DataLayout(self.data_dir).kraft_dir.exists():
            raise KafkaStartError(f"{self.data_dir} holds a one-node broker; use another folder")
        cluster_id = new_cluster_id()
        data = {"brokers": self.brokers, "cluster_id": cluster_id}
        write_atomic(path, json.dumps(data, indent=2) + "\n")
        return cluster_id

    def _ports(self) -> list[Ports]:
        """Each node's ports: saved (a restart keeps the cluster's addresses), else free."""
        plan: list[Ports] = []
        taken: set[int] = set()
        for node_id in range(1, self.brokers + 1):
            saved = load_ports(DataLayout(self.node_dir(node_id)).ports_file)
            if saved is None or {saved.port, saved.controller_port} & taken:
                first = self._port if node_id == 1 and self._port is not None else None
                port = first or free_port(frozenset(taken))
                saved = Ports(port, free_port(frozenset(taken | {port})))
            taken |= {saved.port, saved.controller_port}
            plan.append(saved)
        return plan

    def nodes(self, cluster_id: str | None = None) -> list[LocalKafka]:
        """The nodes, in order, each knowing every node's controller port."""
        ports = self._ports()
        voters = tuple(p.controller_port for p in ports)
        return [
            LocalKafka(
                self.node_dir(node_id),
                port=p.port,
                controller_port=p.controller_port,
                role=NodeRole(node_id, voters),
                cluster_id=cluster_id,
            )
            for node_id, p in enumerate(ports, start=1)
        ]

    @property
    def bootstrap(self) -> str:
        """Every node's client address, comma-separated (what Kafka clients take)."""
        return ",".join(p.bootstrap for p in self._ports())

    def status(self) -> list[BrokerStatus | None]:
        """Each node's running broker, or None where it does not run."""
        return [LocalKafka(self.node_dir(i)).status() for i in range(1, self.brokers + 1)]

    def start(self, timeout: float = 180) -> str:
        """Start the nodes that do not run and wait until every one serves clients.

        Returns the bootstrap addresses. On a failure the nodes it started are stopped.
        """
        find_java()
        ensure_jars()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lock = DataLayout(self.data_dir).lock_file
        try:
            with file_lock(lock, timeout + LOCK_SLACK):
                nodes = self.nodes(self._cluster_id())
                launched = [n for n in nodes if n.status() is None]
                try:
                    for node in launched:
                        node.start(timeout, wait=False)
                    for node in launched:
                        node.wait_started(timeout)
                except BaseException:
                    for node in launched:
                        node.stop(10.0)
                    raise
        except KafkaStartError:
            raise
        except KafkaLocalError as exc:
            raise KafkaStartError(str(exc)) from exc
        return self.bootstrap

    def start_node(self, node_id: int, timeout: float = 120) -> str:
        """Start one node (the others running, it joins their quorum); its client address."""
        with file_lock(DataLayout(self.data_dir).lock_file, timeout + LOCK_SLACK):
            node = self.nodes(self._cluster_id())[node_id - 1]
            return node.start(timeout)

    def kill_node(self, node_id: int) -> int | None:
        """SIGKILL one node's JVM, as a crash would (no controlled shutdown); its pid."""
        running = LocalKafka(self.node_dir(node_id)).status()
        if running is None:
            return None
        os.kill(running.pid, signal.SIGKILL)
        terminate(running.pid, 10.0)  # waits until it is gone
        return running.pid

    def stop(self, timeout: float = 60) -> list[BrokerStatus]:
        """Stop every node: all are asked at once (one by one, the last would wait for a
        quorum that is gone), then each is waited for. Returns the nodes that ran."""
        running = [s for s in self.status() if s is not None]
        for status in running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(status.pid, signal.SIGTERM)
        for node_id in range(1, self.brokers + 1):
            LocalKafka(self.node_dir(node_id)).stop(timeout)
        return running
