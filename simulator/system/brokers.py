"""A local secure broker for one run, its principals' credentials handed to whoever runs.

`portalsim run --secure` plays a scenario against a broker that enforces
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
from pathlib import Path

from rich.console import Console

from services.kit.kafka_access import SIMULATOR_ENV_PREFIX
from simulator.kafka_local import LocalKafka
from simulator.kafka_local.security import BrokerSecurity

__all__ = ["secure_local_broker", "simulator_credentials"]


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
def secure_local_broker(console: Console) -> Iterator[tuple[str, Path]]:
    """A SASL-only local broker in a temporary folder: its address and credentials file."""
    data = Path(tempfile.mkdtemp(prefix="portalsim-kafka-"))
    broker = LocalKafka(data, security=BrokerSecurity.SASL)
    console.print("[dim]starting the local Kafka broker (SASL/SCRAM, ACLs)...[/dim]")
    try:
        address = broker.start(timeout=180)
        with simulator_credentials(broker.credentials_file):
            yield address, broker.credentials_file
    finally:
        broker.stop()
        shutil.rmtree(data, ignore_errors=True)
