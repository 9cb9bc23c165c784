"""The broker itself refuses what deploy/rights.yaml does not grant (not a convention)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]
from pydantic import SecretStr

from tests.secure_broker import SecureKafka


async def _started_producer(options: Mapping[str, Any]) -> AIOKafkaProducer:
    producer = AIOKafkaProducer(**options, request_timeout_ms=10_000)
    try:
        await producer.start()
    except BaseException:
        await producer.stop()
        raise
    return producer


async def test_a_service_may_publish_to_a_topic_it_produces(secure_kafka: SecureKafka) -> None:
    producer = await _started_producer(secure_kafka.access("population_db").aiokafka_options())
    try:
        sent = await producer.send_and_wait("identity.check.completed", b"{}", key=b"k")
    finally:
        await producer.stop()
    assert sent.offset >= 0


async def test_publishing_to_a_topic_the_service_does_not_own_is_refused(
    secure_kafka: SecureKafka,
) -> None:
    producer = await _started_producer(secure_kafka.access("population_db").aiokafka_options())
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await producer.send_and_wait("dossier.routed", b"{}", key=b"k")
    finally:
        await producer.stop()


async def test_a_client_without_credentials_cannot_connect(secure_kafka: SecureKafka) -> None:
    anonymous = {"bootstrap_servers": secure_kafka.bootstrap}
    with pytest.raises(KafkaConnectionError):
        await _started_producer(anonymous)


def test_a_wrong_password_is_refused_by_authentication(secure_kafka: SecureKafka) -> None:
    access = dataclasses.replace(secure_kafka.access("one_stop"), password=SecretStr("wrong"))
    errors: list[KafkaError] = []
    config: dict[str, Any] = {**access.confluent_config(), "error_cb": errors.append}
    admin = AdminClient({**config, "log_level": 0})
    with pytest.raises(KafkaException):
        admin.list_topics(timeout=5)
    for _ in range(30):  # the error callback runs from poll(); at most 15 s
        if errors:
            break
        admin.poll(0.5)
    assert KafkaError._AUTHENTICATION in {e.code() for e in errors}, errors


async def test_a_consumer_cannot_join_another_services_group(secure_kafka: SecureKafka) -> None:
    consumer = AIOKafkaConsumer(
        "dossier.settled",
        **secure_kafka.access("population_db").aiokafka_options(),
        group_id="city_portal",
        enable_auto_commit=False,
    )
    try:
        with pytest.raises(GroupAuthorizationFailedError):
            await consumer.start()
    finally:
        await consumer.stop()


def test_only_the_admin_may_create_topics(secure_kafka: SecureKafka) -> None:
    name = f"rights-test-{uuid.uuid4().hex[:8]}"
    refused = AdminClient(secure_kafka.access("simulator").confluent_config())
    (attempt,) = refused.create_topics([NewTopic(name, 1, 1)], request_timeout=15).values()
    with pytest.raises(KafkaException) as raised:
        attempt.result(timeout=30)
    assert raised.value.args[0].code() == KafkaError.TOPIC_AUTHORIZATION_FAILED
    admin = AdminClient(secure_kafka.access("admin").confluent_config())
    (created,) = admin.create_topics([NewTopic(name, 1, 1)], request_timeout=15).values()
    assert created.result(timeout=30) is None
