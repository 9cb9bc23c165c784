"""One lifecycle for every command that needs a running system: run, replay and bench.

`running_system(plan)` chooses or starts the broker (`brokers`), lays out and starts the
four services with their settings, keys and tokens (`processes`) and waits until each
is healthy, or, against a running deployment, only takes its URLs and tokens. It yields
the `System` and stops everything it started in reverse order, also on an error or
Ctrl-C; the services' logs are copied to `plan.logs_to` before their folder goes.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from contracts.signing import Signer, TrustStore
from simulator.kafka_local import LocalKafkaCluster
from simulator.system.brokers import Broker, broker_for
from simulator.system.keys import ensure_keys, signer_from
from simulator.system.processes import ServiceCluster
from simulator.system.settings import SystemSettings
from simulator.system.stores import StoreKind, store_for
from simulator.system.tokens import RunCredentials

__all__ = ["System", "SystemPlan", "running_system"]


@dataclass(frozen=True)
class SystemPlan:
    """What system a command runs on.

    `bootstrap`: a running broker (host:port); none: a fresh local one, which enforces
    deploy/rights.yaml with `secure`, or a fresh local cluster of `brokers` nodes.
    `against`: the services of a running deployment
    (service name -> URL; needs `bootstrap`); none: the four services are started with
    `settings`. `tokens`: the HTTP tokens, the deployment's (default: from the
    environment) or those the started services accept (default: fresh, every desk).
    `keys`: the key folder of the started services (default: new keys; `signed=False`:
    none) or of the deployment (its trust and the simulator's signer; made when it has no
    trust file). `services`: only these of the four are started (default: all). `purpose`
    names the temporary folder. `store`: where the started services
    keep their state, SQLite files or (`postgresql`) a fresh database on `store_server`, else
    on a fresh local server; `replicas`: processes per service (more than one needs
    PostgreSQL, which they share).
    """

    bootstrap: str | None = None
    secure: bool = False
    brokers: int = 1
    against: Mapping[str, str] | None = None
    settings: SystemSettings | None = None
    tokens: RunCredentials | None = None
    keys: Path | None = None
    signed: bool = True
    start_timeout_s: float = 180.0
    logs_to: Path | None = None
    purpose: str = "run"
    store: StoreKind = "sqlite"
    store_server: str | None = None
    replicas: Mapping[str, int] = field(default_factory=dict)
    services: tuple[str, ...] | None = None


@dataclass(frozen=True)
class System:
    """A running system: its broker, its services' URLs, the tokens and keys to use.

    `cluster` is the services this lifecycle started (None against a deployment), which
    fault injection and the benchmark stop and restart; `healthy_seconds` is how long
    they took to become healthy. `broker_pids`: every node of a fresh broker or cluster
    (`broker_pid` is the first); `kafka_cluster`: the fresh local cluster, if one.
    """

    bootstrap: str
    urls: Mapping[str, str]
    tokens: RunCredentials
    cluster: ServiceCluster | None = None
    broker_pid: int | None = None
    trust: TrustStore | None = None
    signer: Signer | None = None
    healthy_seconds: float = 0.0
    broker_pids: tuple[int, ...] = ()
    kafka_cluster: LocalKafkaCluster | None = None


@contextlib.contextmanager
def running_system(plan: SystemPlan, console: Console | None = None) -> Iterator[System]:
    """The system of the plan, running for the block; what was started is stopped after.

    `console` shows what starts (nothing without one).
    """
    console = console or Console(quiet=True)
    if plan.against is not None and not plan.bootstrap:
        raise ValueError("a running deployment (`against`) needs its broker (`bootstrap`)")
    if plan.against is None and plan.settings is None:
        raise ValueError("starting the services needs their settings")
    if plan.store == "sqlite" and any(n > 1 for n in plan.replicas.values()):
        raise ValueError("replicas share their state only in PostgreSQL: use the postgresql store")
    work_dir = Path(tempfile.mkdtemp(prefix=f"portalsim-{plan.purpose}-"))
    try:
        brokers = plan.brokers
        with broker_for(plan.bootstrap, console, secure=plan.secure, brokers=brokers) as broker:
            if plan.against is not None:
                yield _deployment(plan, plan.against, broker)
                return
            with (
                store_for(plan.store, plan.store_server, console) as store_url,
                _services(plan, broker, work_dir / "services", console, store_url) as system,
            ):
                yield system
    finally:
        if plan.logs_to is not None:
            plan.logs_to.mkdir(parents=True, exist_ok=True)
            for log in work_dir.glob("services/*/*.log"):
                shutil.copy(log, plan.logs_to / log.name)
        shutil.rmtree(work_dir, ignore_errors=True)


def _deployment(plan: SystemPlan, urls: Mapping[str, str], broker: Broker) -> System:
    keys = plan.keys
    return System(
        bootstrap=broker.bootstrap,
        urls=dict(urls),
        tokens=plan.tokens if plan.tokens is not None else RunCredentials.from_env(),
        broker_pid=broker.pid,
        trust=ensure_keys(keys) if keys is not None else None,
        signer=signer_from(keys) if keys is not None else None,
    )


@contextlib.contextmanager
def _services(
    plan: SystemPlan, broker: Broker, data_root: Path, console: Console, store_url: str | None
) -> Iterator[System]:
    assert plan.settings is not None  # checked by running_system
    cluster = ServiceCluster(
        broker.bootstrap,
        data_root,
        settings=plan.settings.by_name(),
        credentials=broker.credentials,
        tokens=plan.tokens if plan.tokens is not None else RunCredentials.generate(),
        keys=plan.keys,
        signed=plan.signed,
        replicas=dict(plan.replicas),
        store_url=store_url,
        only=plan.services,
    )
    which = ", ".join(plan.services) if plan.services else "the services"
    console.print(f"[dim]starting {which} ({len(cluster.services)} processes)...[/dim]")
    started = time.monotonic()
    cluster.start(plan.start_timeout_s)  # stops the started ones when one fails
    try:
        yield System(
            bootstrap=broker.bootstrap,
            urls=cluster.urls,
            tokens=cluster.tokens,
            cluster=cluster,
            broker_pid=broker.pid,
            broker_pids=broker.pids,
            kafka_cluster=broker.cluster,
            trust=cluster.trust,
            signer=cluster.signer(),
            healthy_seconds=time.monotonic() - started,
        )
    finally:
        cluster.stop()
