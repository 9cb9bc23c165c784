"""The cost of signing and verifying, measured in this process on real envelopes.

On a sample of the workload's `dossier.submitted` envelopes, with a fresh Ed25519 key:
signing (what a producer adds per event: parse, canonical bytes, sign), verifying (what
a consumer adds: canonical bytes, verify), and two ways a consumer can read a signed
record: one orjson parse whose dict is verified then validated by pydantic (what the
kit does), or pydantic's JSON parse plus a second orjson parse to verify. The sample is
timed in chunks of 20, a few rounds: `us` is the fastest chunk's mean (the cost when
nothing else takes the core), `median_us` the median chunk's (with the machine's load).
The same sample signed the way services sign their follow-ups (`sign_in_batches`: one
signature per 64 envelopes, `contracts.signature_batches`) and verified by a trust store
that has seen none of them (`verify_in_batches`) is timed over the whole sample, per envelope.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts.envelope import CloudEvent
from contracts.signing import SIGNATURE, SIGNER, Signer, TrustStore
from contracts.topics import ServiceName, topic

__all__ = ["measure_signing"]

TOPIC = "dossier.submitted"


CHUNK = 20


def _timed(
    operation: Callable[[bytes], object], values: Sequence[bytes], rounds: int
) -> dict[str, float]:
    """Microseconds per operation: the fastest chunk's and the median chunk's mean."""
    means = []
    for _ in range(rounds):
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            started = time.perf_counter()
            for value in chunk:
                operation(value)
            means.append((time.perf_counter() - started) / len(chunk) * 1e6)
    best = min(means)
    return {
        "us": round(best, 1),
        "per_second": round(1e6 / max(best, 1e-9)),
        "median_us": round(statistics.median(means), 1),
    }


def _timed_all(
    operation: Callable[[Sequence[bytes]], object], values: Sequence[bytes], rounds: int
) -> dict[str, float]:
    """Microseconds per envelope of one operation over all the values (fastest round)."""
    means = []
    for _ in range(rounds):
        started = time.perf_counter()
        operation(values)
        means.append((time.perf_counter() - started) / max(len(values), 1) * 1e6)
    best = min(means)
    return {
        "us": round(best, 1),
        "per_second": round(1e6 / max(best, 1e-9)),
        "median_us": round(statistics.median(means), 1),
    }


def _verify_all(trust: TrustStore, values: Sequence[bytes]) -> None:
    for value in values:
        trust.verify(TOPIC, orjson.loads(value))


def _unsigned(value: bytes) -> bytes:
    envelope = orjson.loads(value)
    return orjson.dumps({k: v for k, v in envelope.items() if k not in (SIGNER, SIGNATURE)})


def measure_signing(values: Sequence[bytes], sample: int = 500, rounds: int = 3) -> dict[str, Any]:
    """Microseconds and operations per second of signing and verifying one envelope."""
    unsigned = [_unsigned(v) for v in values[:sample]]
    signer = Signer(str(ServiceName.SIMULATOR), Ed25519PrivateKey.generate())
    trust = TrustStore({signer.name: signer.public_key})
    signed = [signer.sign_bytes(v) for v in unsigned]
    payload: Any = topic(TOPIC).payload
    model: Any = CloudEvent[payload]

    def verify(value: bytes) -> None:
        trust.verify(TOPIC, orjson.loads(value))

    def read_one_parse(value: bytes) -> object:
        envelope = orjson.loads(value)
        trust.verify(TOPIC, envelope)
        return model.model_validate(envelope)

    def read_two_parses(value: bytes) -> object:
        event = model.model_validate_json(value)
        trust.verify(TOPIC, orjson.loads(value))
        return event

    in_batches = signer.sign_many_bytes(unsigned)
    return {
        "envelopes": len(unsigned),
        "mean_bytes_signed_in_batches": round(sum(map(len, in_batches)) / max(len(unsigned), 1)),
        "sign_in_batches": _timed_all(signer.sign_many_bytes, unsigned, rounds),
        "verify_in_batches": _timed_all(
            lambda values: _verify_all(TrustStore(trust.keys), values), in_batches, rounds
        ),
        "mean_bytes_unsigned": round(sum(map(len, unsigned)) / max(len(unsigned), 1)),
        "mean_bytes_signed": round(sum(map(len, signed)) / max(len(signed), 1)),
        "sign": _timed(signer.sign_bytes, unsigned, rounds),
        "verify": _timed(verify, signed, rounds),
        "read_unsigned": _timed(model.model_validate_json, unsigned, rounds),
        "read_signed_one_parse": _timed(read_one_parse, signed, rounds),
        "read_signed_two_parses": _timed(read_two_parses, signed, rounds),
    }
