"""Poison on every consumed topic lands in its dead-letter topic, with its reason; work goes on.

The cluster runs signed: poison that is a JSON object is signed by a producer of the
topic (so it reaches validation and gets its own reason); unsigned, forged, unknown-signer
and wrong-producer events, and a traced event whose `traceparent` was changed in transit,
are dead-lettered with reason `signature`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest
from aiokafka import AIOKafkaProducer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts.signing import Signer
from contracts.topics import TOPICS, ServiceName, topic
from simulator.system.processes import ServiceCluster
from tests.faults.conftest import Workload
from tests.faults.reading import read_topic
from tests.faults.samples import envelope_dict
from tests.faults.waiting import wait_until

CONSUMED = [t for t in TOPICS if t.consumers]
WITH_PROCEDURE = {
    "dossier.submitted",
    "dossier.routed",
    "dossier.settled",
    "dossier.status.changed",
}


def _broken(topic_name: str, change: Callable[[dict[str, Any]], None], signer: Signer) -> bytes:
    value = envelope_dict(topic_name)
    change(value)
    return orjson.dumps(signer.sign(value))


def _tampered(topic_name: str, signer: Signer) -> bytes:
    value = signer.sign(envelope_dict(topic_name))
    value["correlationid"] = "someone-else"
    return orjson.dumps(value)


def _retraced(topic_name: str, signer: Signer) -> bytes:
    """A traced event whose `traceparent` was moved to another trace in transit."""
    value = envelope_dict(topic_name)
    value["traceparent"] = "00-" + "1" * 32 + "-" + "2" * 16 + "-01"
    signed = signer.sign(value)
    signed["traceparent"] = "00-" + "3" * 32 + "-" + "2" * 16 + "-01"
    return orjson.dumps(signed)


def _wrong_field_type(value: dict[str, Any]) -> None:
    first_field = next(iter(value["data"]))
    value["data"][first_field] = {"not": "a string"}


def _unknown_procedure(value: dict[str, Any]) -> None:
    data = value["data"]
    data.get("submission", data)["procedure_code"] = "9.999999"


def poisons(topic_name: str, signers: dict[str, Signer]) -> dict[str, tuple[bytes, str]]:
    """Kind of poison -> (value, the dead-letter reason expected)."""
    other = "dossier.settled" if topic_name != "dossier.settled" else "dossier.submitted"
    producers = topic(topic_name).producers
    producer = signers[min(producers)]
    outsider = signers[min(set(ServiceName) - producers)]
    stranger = Signer("mallory", Ed25519PrivateKey.generate())  # not in the trust file
    kinds = {
        "not_json": (b"\x00\x01 this is not json", "not_json"),
        "empty": (b"", "empty"),
        "not_an_envelope": (orjson.dumps(producer.sign({"hello": "world"})), "invalid_envelope"),
        "wrong_type": (orjson.dumps(producer.sign(envelope_dict(other))), "wrong_event_type"),
        "wrong_field_type": (_broken(topic_name, _wrong_field_type, producer), "invalid_payload"),
        "oversized": (b'{"pad": "' + b"x" * 300_000 + b'"}', "too_large"),
        "invalid_utf8": (b'{"id": "\xff\xfe"}', "not_utf8"),
        "unsigned": (orjson.dumps(envelope_dict(topic_name)), "signature"),
        "bad_signature": (_tampered(topic_name, producer), "signature"),
        "tampered_traceparent": (_retraced(topic_name, producer), "signature"),
        "unknown_signer": (orjson.dumps(stranger.sign(envelope_dict(topic_name))), "signature"),
        "wrong_producer": (orjson.dumps(outsider.sign(envelope_dict(topic_name))), "signature"),
    }
    if topic_name in WITH_PROCEDURE:
        kinds["unknown_procedure"] = (
            _broken(topic_name, _unknown_procedure, producer),
            "invalid_payload",
        )
    return kinds


@pytest.mark.parametrize("registered", CONSUMED, ids=lambda t: t.name)
async def test_poison_on_a_topic_is_dead_lettered_by_each_consumer_with_its_reason(
    kafka_bootstrap: str,
    cluster: ServiceCluster,
    workload: Workload,
    registered: Any,
    signers: dict[str, Signer],
) -> None:
    sent = {
        f"poison-{kind}-{uuid.uuid4().hex[:8]}".encode(): (kind, value, reason)
        for kind, (value, reason) in poisons(registered.name, signers).items()
    }
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, max_request_size=2_000_000)
    await producer.start()
    try:
        for key, (_, value, _) in sent.items():
            await producer.send_and_wait(registered.name, value, key=key)
    finally:
        await producer.stop()

    expected = {(key, str(service)) for key in sent for service in registered.consumers}
    async with asyncio.timeout(90):
        while True:
            dead = await read_topic(kafka_bootstrap, registered.deadletter, lambda r: r.key in sent)
            if len(dead) >= len(expected):
                break
            await asyncio.sleep(0.5)
    got = {(r.key, dict(r.headers)["deadletter.service"].decode()) for r in dead}
    assert got == expected
    for record in dead:
        kind, value, reason = sent[record.key]
        headers = dict(record.headers)
        assert headers["deadletter.reason"].decode() == reason, kind
        assert record.value == value, f"{kind}: the original bytes are kept"

    ids = await workload.inject(10)  # valid work still flows after the poison
    await wait_until(lambda: workload.settled(ids) == len(ids), 120, "valid dossiers settle")
    async with httpx.AsyncClient() as client:
        for service in registered.consumers:
            health = await client.get(cluster[service].url + "/healthz")
            assert health.status_code == 200, service
