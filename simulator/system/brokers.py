"""The Kafka broker of one command: the given one, a fresh local one, or a fresh secure one.

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
from simulator.kafka_local import LocalKafka
from simulator.kafka_local.security import BrokerSecurity

__all__ = ["Broker", "broker_for", "simulator_credentials"]


@dataclass(frozen=True)
class Broker:
    """The broker of a command: its address, its process id when it is ours, and the
    credentials file of its principals when it is secure."""

    bootstrap: str
    pid: int | None = None
    credentials: Path | None = None


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
    bootstrap: str | None, console: Console, *, secure: bool = False
) -> Iterator[Broker]:
    """The given broker, or a fresh local one (SASL-only with `secure`), stopped at exit."""
    if bootstrap:
        if secure:
            raise ValueError("a secure broker is a fresh local one: no bootstrap goes with it")
        yield Broker(bootstrap)
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
            yield Broker(address, pid)
            return
        with simulator_credentials(broker.credentials_file):
            yield Broker(address, pid, broker.credentials_file)
    finally:
        broker.stop()
        shutil.rmtree(data, ignore_errors=True)
