"""``portalsim kafka up --secure``: a SASL-only broker with a user per principal and the topics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from contracts.rights import parse_rights
from services.kit.kafka_access import KafkaAccess
from services.kit.topics_admin import registered_topic_partitions
from simulator.kafka_local import free_port
from tests.integration.test_local_kafka_cli import cleanup, kafka, last_line

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
PRINCIPALS = {r.user for r in parse_rights((ROOT / "deploy" / "rights.yaml").read_text())}


@pytest.fixture(scope="module")
def secure_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A data folder whose broker ``kafka up --secure`` started; its bootstrap address."""
    data_dir = tmp_path_factory.mktemp("kafka-secure").resolve()
    try:
        up = kafka("up", "--secure", "--port", str(free_port()), "--data", str(data_dir))
        assert up.returncode == 0, up.stdout + up.stderr
        yield data_dir, last_line(up)
    finally:
        cleanup(data_dir)


def _topics_seen_by(user: str, data_dir: Path, bootstrap: str) -> set[str]:
    access = KafkaAccess.from_credentials(bootstrap, data_dir / "credentials.json", user)
    return set(AdminClient(access.confluent_config()).list_topics(timeout=30).topics)


def test_each_principal_and_the_admin_get_a_password_only_the_owner_may_read(
    secure_folder: tuple[Path, str],
) -> None:
    credentials = secure_folder[0] / "credentials.json"
    assert set(json.loads(credentials.read_text())) == {"admin", *PRINCIPALS}
    assert credentials.stat().st_mode & 0o077 == 0


def test_the_admin_created_every_registered_topic(secure_folder: tuple[Path, str]) -> None:
    assert set(registered_topic_partitions()) <= _topics_seen_by("admin", *secure_folder)


def test_a_secure_folder_restarts_secure_with_the_same_passwords(
    secure_folder: tuple[Path, str],
) -> None:
    data_dir, bootstrap = secure_folder
    assert kafka("down", "--data", str(data_dir)).returncode == 0
    up = kafka("up", "--data", str(data_dir))
    assert up.returncode == 0, up.stdout + up.stderr
    status = kafka("status", "--data", str(data_dir))
    assert "SASL/SCRAM-SHA-512" in status.stdout and "ACLs enforced" in status.stdout
    assert "dossier.settled" in _topics_seen_by("one_stop", data_dir, bootstrap)
