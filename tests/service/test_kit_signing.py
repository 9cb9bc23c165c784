"""A service running signed, on FastStream's in-memory broker: verify, dead-letter, sign."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from contracts.signing import Signer, TrustStore
from contracts.topics import ServiceName, topic
from services.kit import (
    ServiceSettings,
)
from services.kit.signing import SigningConfigError, keys_from_settings
from simulator.system.keys import key_path, trust_path
from tests.factories import envelope, submission
from tests.service.conftest import KitHarnessFactory


@pytest.fixture
async def signed_service(
    kit_harness: KitHarnessFactory, signers: dict[str, Signer], trust: TrustStore
) -> Any:
    async with kit_harness(signers["city_portal"], trust) as kit:
        yield kit.broker, kit.handled, kit.published, kit.messaging


def _signed_value(signer: Signer) -> tuple[str, bytes]:
    event = envelope(submission())
    value = orjson.dumps(signer.sign(event.model_dump(mode="json", exclude_none=False)))
    return event.id, value


async def test_a_validly_signed_event_is_handled(
    signed_service: Any, signers: dict[str, Signer]
) -> None:
    broker, handled, _, _ = signed_service
    event_id, value = _signed_value(signers["simulator"])
    await broker.publish(value, "dossier.submitted")
    assert handled == [event_id]


async def test_the_follow_up_of_a_signed_service_is_signed_by_it(
    signed_service: Any, signers: dict[str, Signer], trust: TrustStore
) -> None:
    broker, _, published, _ = signed_service
    await broker.publish(_signed_value(signers["simulator"])[1], "dossier.submitted")
    [follow_up] = published
    assert orjson.loads(follow_up.value)["signer"] == "city_portal"
    trust.verify("dossier.status.changed", follow_up.value)


async def test_an_unsigned_event_is_dead_lettered_with_reason_signature(
    signed_service: Any,
) -> None:
    broker, handled, published, messaging = signed_service
    value = envelope(submission()).to_bytes()
    await broker.publish(value, "dossier.submitted", key=b"k1")
    assert handled == []
    [dead] = published
    assert dead.topic == topic("dossier.submitted").deadletter
    assert dict(dead.headers)["deadletter.reason"] == b"signature"
    assert dead.value == value
    assert messaging.stats["bad_signatures"] == 1


async def test_a_forged_event_is_dead_lettered_with_reason_signature(
    signed_service: Any, signers: dict[str, Signer]
) -> None:
    broker, handled, published, _ = signed_service
    _, value = _signed_value(signers["simulator"])
    forged = value.replace(b'"procedure_code":"1.004194"', b'"procedure_code":"1.004222"')
    assert forged != value
    await broker.publish(forged, "dossier.submitted")
    assert handled == []
    [dead] = published
    assert dict(dead.headers)["deadletter.reason"] == b"signature"
    assert b"bad signature" in dict(dead.headers)["deadletter.detail"]


async def test_a_value_that_is_not_json_keeps_its_own_reason_when_signed(
    signed_service: Any,
) -> None:
    broker, handled, published, _ = signed_service
    await broker.publish(b"\x00not json", "dossier.submitted")
    assert handled == []
    [dead] = published
    assert dict(dead.headers)["deadletter.reason"] == b"not_json"


def _settings(**paths: Path) -> ServiceSettings:
    return ServiceSettings(**paths)  # type: ignore[arg-type]


def test_a_service_with_both_key_files_runs_signed(key_folder: Path) -> None:
    keys = keys_from_settings(
        _settings(
            signing_key_file=key_path(key_folder, "one_stop"), trust_file=trust_path(key_folder)
        ),
        ServiceName.ONE_STOP,
    )
    assert keys.signer is not None and keys.signer.name == "one_stop"
    assert keys.trust is not None


def test_a_service_with_neither_key_file_runs_unsigned() -> None:
    assert keys_from_settings(_settings(), ServiceName.ONE_STOP) == (None, None)


def test_a_service_with_only_the_trust_file_refuses_to_start(key_folder: Path) -> None:
    with pytest.raises(SigningConfigError, match="signing_key_file is not set"):
        keys_from_settings(_settings(trust_file=trust_path(key_folder)), ServiceName.ONE_STOP)


def test_a_service_with_only_its_key_refuses_to_start(key_folder: Path) -> None:
    with pytest.raises(SigningConfigError, match="trust_file is not set"):
        keys_from_settings(
            _settings(signing_key_file=key_path(key_folder, "one_stop")), ServiceName.ONE_STOP
        )


def test_a_service_given_another_services_key_refuses_to_start(key_folder: Path) -> None:
    settings = _settings(
        signing_key_file=key_path(key_folder, "city_portal"), trust_file=trust_path(key_folder)
    )
    with pytest.raises(SigningConfigError, match="not the one"):
        keys_from_settings(settings, ServiceName.ONE_STOP)
