"""The Kafka broker of one command: the given one, a fresh local one, a fresh secure one,
or a fresh local cluster of several nodes (`brokers`, `portalsim run --brokers 3`).

A fresh broker runs from the Maven jars (`simulator.kafka_local`) in a temporary folder,
removed when it stops. A secure one (`portalsim run --secure`) enforces
deploy/rights.yaml: the services get their own principals (ServiceCluster's
`credentials`) and the simulator's own clients (collector, recorder, injector) connect
as the `simulator` principal, through `PORTALSIM_SIMULATOR_KAFKA_CREDENTIALS`, set for
the duration.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from services.kit.kafka_access import SIMULATOR_ENV_PREFIX
from simulator.kafka_local import LocalKafka, LocalKafkaCluster
from simulator.kafka_local.security import BrokerSecurity

__all__ = ["Broker", "broker_for", "simulator_credentials"]


@dataclass(frozen=True)
class Broker:
    """The broker of a command: its address (every node's, comma-separated), its process
    id when it is ours (`pids`: every node's; `cluster` when it is a local cluster, which a
    fault test stops a node of), and the credentials file of its principals when it is
    secure."""

    bootstrap: str
    pid: int | None = None
    credentials: Path | None = None
    pids: tuple[int, ...] = ()
    cluster: LocalKafkaCluster | None = None


@contextlib.contextmanager
def simulator_credentials(credentials: Path) -> Iterator[None]:
    """The simulator's clients connect as the `simulator` principal of this file meanwhile."""
    name = SIMULATOR_ENV_PREFIX + "CREDENTIALS"
    before = os.environ.get(name)
    os.environ[name] = str(credentials)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


@contextlib.contextmanager
def broker_for(
    bootstrap: str | None, console: Console, *, secure: bool = False, brokers: int = 1
) -> Iterator[Broker]:
    """The given broker, or a fresh local one (SASL-only with `secure`; a cluster of
    `brokers` nodes), stopped at exit."""
    if bootstrap:
        if secure or brokers > 1:
            raise ValueError("a secure broker or a cluster is a fresh local one: no bootstrap")
        yield Broker(bootstrap)
        return
    if brokers > 1:
        if secure:
            raise ValueError("a cluster (brokers > 1) is PLAINTEXT only; a secure broker is one")
        with _fresh_cluster(brokers, console) as nodes:
            yield nodes
        return
    data = Path(tempfile.mkdtemp(prefix="portalsim-kafka-"))
    if secure:
        broker = LocalKafka(data, security=BrokerSecurity.SASL)
        console.print("[dim]starting the local Kafka broker (SASL/SCRAM, ACLs)...[/dim]")
    else:
        broker = LocalKafka(data)
        console.print("[dim]starting the local Kafka broker...[/dim]")
    try:
        address = broker.start(timeout=180)
        status = broker.status()
        pid = status.pid if status else None
        if not secure:
            yield Broker(address, pid, pids=(pid,) if pid else ())
            return
        with simulator_credentials(broker.credentials_file):
            yield Broker(address, pid, broker.credentials_file)
    finally:
        broker.stop()
        shutil.rmtree(data, ignore_errors=True)


@contextlib.contextmanager
def _fresh_cluster(brokers: int, console: Console) -> Iterator[Broker]:
    """A fresh local cluster of `brokers` nodes in a temporary folder, removed at exit."""
    data = Path(tempfile.mkdtemp(prefix="portalsim-kafka-cluster-"))
    cluster = LocalKafkaCluster(data, brokers)
    console.print(f"[dim]starting a local Kafka cluster of {brokers} nodes...[/dim]")
    try:
        address = cluster.start(timeout=240)
        pids = tuple(s.pid for s in cluster.status() if s is not None)
        yield Broker(address, pids[0] if pids else None, pids=pids, cluster=cluster)
    finally:
        cluster.stop()
        shutil.rmtree(data, ignore_errors=True)
