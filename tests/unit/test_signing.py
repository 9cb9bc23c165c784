"""Signed envelopes: canonical bytes, signing, and what the trust store refuses."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts.envelope import parse_envelope
from contracts.events import DossierSubmitted
from contracts.signing import SignatureError, Signer, TrustStore, canonical_bytes
from services.kit.emitter import EventFactory
from tests.factories import SIMTIME, submission


def _signed(signer: Signer, topic_name: str = "dossier.submitted") -> bytes:
    return (
        EventFactory(signer.name, signer)
        .record(topic_name, submission(), event_id="e-1", correlation_id="c-1", simtime=SIMTIME)
        .value
    )


def test_canonical_bytes_do_not_depend_on_key_order_or_whitespace() -> None:
    wire = b'{"b": {"y": 2, "x": [1, {"q": 1, "p": 2}]},\n "a": "\\u00e9t\xc3\xa9"}'
    reordered = b'{"a":"\xc3\xa9t\xc3\xa9","b":{"x":[1,{"p":2,"q":1}],"y":2}}'
    assert canonical_bytes(orjson.loads(wire)) == canonical_bytes(orjson.loads(reordered))
    assert canonical_bytes(orjson.loads(wire)) == reordered


def test_canonical_bytes_leave_out_the_signature_but_keep_the_signer() -> None:
    value = {"signature": "abc", "signer": "city_portal", "id": "1"}
    assert canonical_bytes(value) == b'{"id":"1","signer":"city_portal"}'


def test_a_signed_event_verifies(signers: dict[str, Signer], trust: TrustStore) -> None:
    trust.verify("dossier.submitted", _signed(signers["simulator"]))


def test_a_signed_event_still_verifies_after_re_serialisation(
    signers: dict[str, Signer], trust: TrustStore
) -> None:
    value = orjson.loads(_signed(signers["simulator"]))
    rewritten = orjson.dumps(dict(reversed(list(value.items()))), option=orjson.OPT_INDENT_2)
    trust.verify("dossier.submitted", rewritten)


def test_a_signed_event_is_a_valid_envelope_that_keeps_signer_and_signature(
    signers: dict[str, Signer],
) -> None:
    event = parse_envelope(_signed(signers["simulator"]))
    assert event.signer == "simulator"
    assert event.signature


def test_tampered_data_fails_verification(signers: dict[str, Signer], trust: TrustStore) -> None:
    value = orjson.loads(_signed(signers["simulator"]))
    value["data"]["procedure_code"] = "1.004222"
    with pytest.raises(SignatureError, match="bad signature"):
        trust.verify("dossier.submitted", value)


def test_a_changed_signer_fails_verification(signers: dict[str, Signer], trust: TrustStore) -> None:
    value = orjson.loads(_signed(signers["simulator"]))
    value["signer"] = "city_portal"  # a producer of the topic, but not who signed
    with pytest.raises(SignatureError, match="bad signature"):
        trust.verify("dossier.submitted", value)


def test_an_unsigned_event_fails_verification(trust: TrustStore) -> None:
    unsigned = EventFactory("simulator").record(
        "dossier.submitted", submission(), event_id="e", correlation_id="c", simtime=SIMTIME
    )
    with pytest.raises(SignatureError, match="unsigned"):
        trust.verify("dossier.submitted", unsigned.value)


def test_an_unknown_signer_fails_verification(trust: TrustStore) -> None:
    stranger = Signer("city_portal", Ed25519PrivateKey.generate())
    renamed = Signer("mallory", stranger.key)
    with pytest.raises(SignatureError, match="unknown signer 'mallory'"):
        trust.verify("dossier.submitted", _signed(renamed))


def test_a_signer_that_may_not_produce_the_topic_fails_verification(
    signers: dict[str, Signer], trust: TrustStore
) -> None:
    value = _signed(signers["population_db"])  # population_db never submits dossiers
    with pytest.raises(SignatureError, match=r"may not produce dossier\.submitted"):
        trust.verify("dossier.submitted", value)


def test_a_key_signing_under_another_name_fails_verification(
    signers: dict[str, Signer], trust: TrustStore
) -> None:
    impostor = Signer("city_portal", signers["simulator"].key)
    with pytest.raises(SignatureError, match="bad signature"):
        trust.verify("dossier.submitted", _signed(impostor))


def test_signing_again_replaces_the_old_signature(
    signers: dict[str, Signer], trust: TrustStore
) -> None:
    value: dict[str, Any] = orjson.loads(_signed(signers["one_stop"]))
    resigned = signers["simulator"].sign(value)
    assert resigned["signer"] == "simulator"
    trust.verify("dossier.submitted", resigned)


def test_a_trust_file_with_a_bad_key_is_refused() -> None:
    with pytest.raises(ValueError, match="city_portal"):
        TrustStore({"city_portal": "not-a-key"})


def test_sign_bytes_keeps_the_original_bytes_in_front(signers: dict[str, Signer]) -> None:
    unsigned = EventFactory("simulator").record(
        "dossier.submitted", submission(), event_id="e", correlation_id="c", simtime=SIMTIME
    )
    signed = signers["simulator"].sign_bytes(unsigned.value)
    assert signed.startswith(unsigned.value[:-1])
    assert DossierSubmitted.model_validate(
        parse_envelope(signed).data
    ) == DossierSubmitted.model_validate(orjson.loads(unsigned.value)["data"])
