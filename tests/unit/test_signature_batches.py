"""Batch signatures: one Ed25519 signature over a Merkle tree of the events published together."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from contracts import signing
from contracts.signature_batches import BatchProof, leaf_hash, proofs, root_from_proof
from contracts.signing import SignatureError, Signer, TrustStore
from services.kit.emitter import EventFactory
from tests.factories import SIMTIME, submission


def _unsigned(count: int) -> list[bytes]:
    factory = EventFactory("simulator")
    return [
        factory.record(
            "dossier.submitted", submission(), event_id=f"e{i}", correlation_id="c", simtime=SIMTIME
        ).value
        for i in range(count)
    ]


def _signature(value: bytes) -> str:
    found: str = orjson.loads(value)["signature"]
    return found


class _CountingKey:
    """A public key that counts its Ed25519 checks."""

    def __init__(self, key: Any) -> None:
        self.key, self.checks = key, 0

    def verify(self, signature: bytes, message: bytes) -> None:
        self.checks += 1
        self.key.verify(signature, message)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7, 8, 9, 31, 64])
def test_every_leaf_proof_leads_to_the_root(count: int) -> None:
    leaves = [leaf_hash(bytes([i])) for i in range(count)]
    root, batch_proofs = proofs(leaves)
    found = [root_from_proof(leaf, proof) for leaf, proof in zip(leaves, batch_proofs, strict=True)]
    assert found == [root] * count


@pytest.mark.parametrize("count", [2, 3, 64, 65, 130])
def test_every_event_of_a_signed_batch_verifies(
    count: int, signers: dict[str, Signer], trust: TrustStore
) -> None:
    for value in signers["simulator"].sign_many_bytes(_unsigned(count)):
        trust.verify("dossier.submitted", value)


def test_a_batch_gets_one_signature_per_64_events(signers: dict[str, Signer]) -> None:
    signed = signers["simulator"].sign_many_bytes(_unsigned(129))
    roots = {_signature(value).split(".")[0] for value in signed}
    assert len(roots) == 3  # 64 + 64 in the batch form, the last one alone
    assert "." not in _signature(signed[-1])


def test_a_batch_of_one_gets_the_single_form(signers: dict[str, Signer]) -> None:
    (value,) = _unsigned(1)
    assert signers["simulator"].sign_many_bytes([value]) == [signers["simulator"].sign_bytes(value)]


def test_verifying_a_batch_checks_its_root_signature_once(
    signers: dict[str, Signer], trust: TrustStore
) -> None:
    trust = TrustStore(trust.keys)  # nothing verified yet
    counting = _CountingKey(trust._public["simulator"])
    trust._public["simulator"] = counting  # type: ignore[assignment]
    for value in signers["simulator"].sign_many_bytes(_unsigned(50)):
        trust.verify("dossier.submitted", value)
    assert counting.checks == 1


def test_a_tampered_event_of_a_batch_fails_and_the_others_still_verify(
    signers: dict[str, Signer], trust: TrustStore
) -> None:
    signed = signers["simulator"].sign_many_bytes(_unsigned(5))
    tampered = orjson.loads(signed[2])
    tampered["data"]["procedure_code"] = "1.004222"
    with pytest.raises(SignatureError, match="bad signature"):
        trust.verify("dossier.submitted", tampered)
    for index in (0, 1, 3, 4):
        trust.verify("dossier.submitted", signed[index])


def test_a_tampered_event_fails_even_after_its_batch_was_verified(
    signers: dict[str, Signer], trust: TrustStore
) -> None:
    signed = signers["simulator"].sign_many_bytes(_unsigned(5))
    for value in signed:
        trust.verify("dossier.submitted", value)
    tampered = orjson.loads(signed[0])
    tampered["subject"] = "another dossier"
    with pytest.raises(SignatureError, match="bad signature"):
        trust.verify("dossier.submitted", tampered)


def test_an_event_with_another_events_proof_fails(
    signers: dict[str, Signer], trust: TrustStore
) -> None:
    signed = signers["simulator"].sign_many_bytes(_unsigned(4))
    swapped = orjson.loads(signed[0])
    swapped["signature"] = _signature(signed[1])
    with pytest.raises(SignatureError, match="bad signature"):
        trust.verify("dossier.submitted", swapped)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda parts: [parts[0], "9", parts[2], parts[3]],  # index beyond the batch
        lambda parts: [parts[0], parts[1], "x", parts[3]],  # count not a number
        lambda parts: [parts[0], parts[1], parts[2], parts[3][:-8]],  # a hash cut short
        lambda parts: [parts[0], parts[1], parts[2], parts[3] + "A" * 43],  # one hash too many
        lambda parts: [*parts, "extra"],
    ],
    ids=["index", "count", "short-sibling", "extra-sibling", "five-parts"],
)
def test_a_malformed_batch_signature_fails_as_a_bad_signature(
    mangle: Any, signers: dict[str, Signer], trust: TrustStore
) -> None:
    signed = orjson.loads(signers["simulator"].sign_many_bytes(_unsigned(4))[0])
    signed["signature"] = ".".join(mangle(signed["signature"].split(".")))
    with pytest.raises(SignatureError, match="bad signature"):
        trust.verify("dossier.submitted", signed)


def test_a_batch_signed_by_a_signer_the_topic_does_not_allow_fails(
    signers: dict[str, Signer], trust: TrustStore
) -> None:
    value = signers["population_db"].sign_many_bytes(_unsigned(3))[0]
    with pytest.raises(SignatureError, match=r"may not produce dossier\.submitted"):
        trust.verify("dossier.submitted", value)


def test_the_verified_roots_remembered_stay_bounded(
    monkeypatch: pytest.MonkeyPatch, signers: dict[str, Signer], trust: TrustStore
) -> None:
    monkeypatch.setattr(signing, "VERIFIED_ROOTS_KEPT", 3)
    trust = TrustStore(trust.keys)
    for _ in range(5):
        trust.verify("dossier.submitted", signers["simulator"].sign_many_bytes(_unsigned(2))[0])
    assert len(trust._verified_roots) == 3


def test_a_proof_longer_than_the_batch_has_levels_is_refused() -> None:
    leaves = [leaf_hash(bytes([i])) for i in range(4)]
    _, batch_proofs = proofs(leaves)
    index, count, siblings = batch_proofs[0]
    with pytest.raises(ValueError, match="more sibling hashes"):
        root_from_proof(leaves[0], BatchProof(index, count, siblings + bytes(32)))
