"""Shared fixtures: one real Kafka broker and one real PostgreSQL server per test session.

The broker is, in order of preference: `KAFKA_BOOTSTRAP_SERVERS` when set; a
testcontainers Kafka when a Docker engine answers; else the local broker from
Maven jars (`simulator.kafka_local`), in a fresh data folder on free ports,
stopped at the end of the session. The local broker has two client listeners: PLAINTEXT
(its anonymous clients are super users, so every test but the security ones runs as
before) and SASL/SCRAM-SHA-512 with the ACLs of deploy/rights.yaml (`secure_kafka`).
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest


def _docker_engine_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:
        return False


def _wait_for_port(bootstrap: str, timeout: float = 60.0) -> None:
    host, port = bootstrap.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout):
        return


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The session's real Kafka: its bootstrap address, and the `LocalKafka` when it is ours.

    Fault tests stop and restart the local broker; they skip when the broker is external.
    """
    explicit = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if explicit:
        _wait_for_port(explicit.split(",")[0])
        yield explicit, None
        return
    if _docker_engine_answers():
        from testcontainers.community.kafka import KafkaContainer

        with KafkaContainer("confluentinc/cp-kafka:8.1.1").with_kraft() as container:
            yield container.get_bootstrap_server(), None
        return
    from simulator.kafka_local import LocalKafka
    from simulator.kafka_local.security import BrokerSecurity

    data = tmp_path_factory.mktemp("kafka")
    broker = LocalKafka(data, security=BrokerSecurity.PLAINTEXT_AND_SASL)
    try:
        yield broker.start(timeout=180), broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_broker: tuple[str, Any]) -> str:
    """Bootstrap address of the session's real Kafka broker."""
    return kafka_broker[0]


@pytest.fixture(scope="session")
def secure_kafka(kafka_broker: tuple[str, Any]) -> Any:
    """The session broker's SASL listener and credentials file (`tests.secure_broker`).

    With an external broker, the tests using it skip unless PORTALSIM_TEST_SECURE_BOOTSTRAP
    and PORTALSIM_TEST_KAFKA_CREDENTIALS name its SASL listener and credentials file.
    """
    from tests.secure_broker import CREDENTIALS_ENV, SECURE_BOOTSTRAP_ENV, SecureKafka

    local = kafka_broker[1]
    if local is not None:
        return SecureKafka(local.secure_bootstrap, local.credentials_file)
    bootstrap, credentials = os.environ.get(SECURE_BOOTSTRAP_ENV), os.environ.get(CREDENTIALS_ENV)
    if not (bootstrap and credentials):
        pytest.skip(f"external broker: set {SECURE_BOOTSTRAP_ENV} and {CREDENTIALS_ENV}")
    return SecureKafka(bootstrap, Path(credentials))


@pytest.fixture(scope="session")
def key_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's key folder: a key per principal and the trust file (`keys init`)."""
    from simulator.system.keys import init_keys

    folder = tmp_path_factory.mktemp("keys")
    init_keys(folder, force=True)
    return folder


@pytest.fixture(scope="session")
def signers(key_folder: Path) -> dict[str, Any]:
    """Every principal's `Signer` from the session's key folder, by name."""
    from simulator.system.keys import PRINCIPALS, signer_from

    return {name: signer_from(key_folder, name) for name in PRINCIPALS}


@pytest.fixture(scope="session")
def trust(key_folder: Path) -> Any:
    """The session's `TrustStore` (what the cluster's services verify against)."""
    from contracts.signing import TrustStore
    from simulator.system.keys import trust_path

    return TrustStore.from_file(trust_path(key_folder))


@pytest.fixture(scope="session")
def cluster(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory, key_folder: Path
) -> Iterator[Any]:
    """The four services as processes on the session's broker, shared by e2e and fault tests.

    No random rejections, so every correctly filled dossier is approved. They run signed
    with the session's key folder, so tests can sign what they publish (`signers`).
    """
    from simulator.system.processes import ServiceCluster
    from tests.system import CLUSTER_SETTINGS, running

    services = ServiceCluster(
        kafka_bootstrap,
        tmp_path_factory.mktemp("services"),
        settings=CLUSTER_SETTINGS,
        keys=key_folder,
    )
    with services, running(services):
        yield services


@pytest.fixture(scope="session")
def pool() -> Any:
    """The same synthetic people the cluster's population_db seeded."""
    from simulator.scenarios.applicants import ApplicantPool
    from tests.system import POPULATION_SEED, POPULATION_SIZE, START

    return ApplicantPool(POPULATION_SIZE, POPULATION_SEED, START.date())


@pytest.fixture(scope="session")
async def driver(cluster: Any) -> AsyncIterator[Any]:
    """An HTTP driver of the cluster's services, with the cluster's desk and official tokens."""
    from simulator.drive.driver import PortalDriver

    async with PortalDriver(cluster.urls, cluster.tokens) as portal_driver:
        yield portal_driver


@pytest.fixture
def unique_name() -> str:
    """A name unique to one test, for topics and consumer groups."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's root folder."""
    return Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the session: `PORTALSIM_TEST_POSTGRES_URL` when set,
    else a local one (`simulator.postgres_local`) on a free port in a fresh folder,
    started when a test first asks for it and stopped at the end of the session."""
    explicit = os.environ.get("PORTALSIM_TEST_POSTGRES_URL")
    if explicit:
        yield explicit
        return
    from simulator.kafka_local import free_port
    from simulator.postgres_local import LocalPostgres

    folder = Path(tempfile.mkdtemp(prefix="portalsim-test-pg-"))
    folder.chmod(0o711)  # as root the server runs as its own account, which walks through
    server = LocalPostgres(folder / "pg", port=free_port())
    try:
        yield server.start(timeout=120)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Where a test's stores live: a SQLite folder, or a schema of its own on the session's
    PostgreSQL server (dropped after). `store_backend.open(StoreClass)` opens one."""
    from tests.stores import StoreBackend

    if request.param == "sqlite":
        yield StoreBackend(tmp_path)
        return
    backend = StoreBackend(tmp_path, request.getfixturevalue("postgres_url"))
    try:
        yield backend
    finally:
        backend.drop()
