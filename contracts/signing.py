"""Signed events: canonical bytes of an envelope, Ed25519 signatures, the trust store.

Every event carries two CloudEvents extension attributes (envelope version 2):
`signer`, the name of the principal that signed it (a `ServiceName`), and `signature`,
the Ed25519 signature of the envelope's canonical bytes, base64url without padding
(the single form), or since envelope version 3 the batch form: one signature over a
Merkle tree of a batch's events, and the event's place in it (`contracts.signature_batches`).

**Canonical bytes** (reproducible from the JSON value alone, whatever the wire order):

1. parse the Kafka value as one JSON object;
2. remove the `signature` attribute (keep everything else, `signer` included, and keep
   attributes that are `null`);
3. write it as compact JSON: no whitespace, `,` and `:` as separators, the keys of every
   object (nested ones too) sorted by code point, strings UTF-8 with only `"`, `\\` and
   the control characters escaped (`\\n`, `\\t`, ... and `\\u00XX` for the others, lower
   case hex), numbers as they parse: integers in decimal, floats in the shortest form
   that reads back to the same double (`3.0`, `0.25`, `1e-7`).

This is `orjson.dumps(value_without_signature, option=orjson.OPT_SORT_KEYS)`; it is
close to RFC 8785 (JCS) and equal to it for portalsim's payloads except floats, where
JCS would write `3` for `3.0`.

The trust file (`trust.json`) maps principal names to their raw 32-byte Ed25519 public
keys in standard base64. A consumer accepts an event only when it is signed, by a
principal in the trust file, that the topic registry lets produce the topic, with a
valid signature (`TrustStore.verify`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from contracts.signature_batches import (
    BatchProof,
    leaf_hash,
    proofs,
    root_from_proof,
    root_message,
)
from contracts.topics import topic

__all__ = [
    "SIGNATURE",
    "SIGNER",
    "SignatureError",
    "Signer",
    "TrustStore",
    "canonical_bytes",
    "fingerprint",
    "public_key_text",
]

SIGNER = "signer"
SIGNATURE = "signature"
VERIFIED_ROOTS_KEPT = 4096  # batch roots a trust store remembers as verified
SIGNED_BATCH_SIZE = 64  # events under one signature: 6 sibling hashes (256 characters) each


class SignatureError(ValueError):
    """An event that must not be handled: unsigned, forged, or from the wrong principal."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def canonical_bytes(envelope: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: the envelope without `signature`, keys sorted, compact."""
    unsigned = {key: value for key, value in envelope.items() if key != SIGNATURE}
    return orjson.dumps(unsigned, option=orjson.OPT_SORT_KEYS)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_text(key: Ed25519PublicKey) -> str:
    """A public key as the trust file writes it: its raw 32 bytes in standard base64."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def fingerprint(key_text: str) -> str:
    """A short fingerprint of a public key: `SHA256:` and the first 16 bytes of its hash."""
    digest = hashlib.sha256(base64.b64decode(key_text)).digest()
    return "SHA256:" + base64.b64encode(digest[:16]).decode().rstrip("=")


@dataclass(frozen=True)
class Signer:
    """A principal's private key: signs the envelopes it publishes."""

    name: str
    key: Ed25519PrivateKey

    @classmethod
    def from_file(cls, name: str, path: Path) -> Signer:
        """The key of `name` from a PEM (PKCS#8) file."""
        loaded = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ValueError(f"{path}: not an Ed25519 private key")
        return cls(name, loaded)

    @property
    def public_key(self) -> str:
        """The public key as the trust file writes it."""
        return public_key_text(self.key.public_key())

    def signature_of(self, envelope: Mapping[str, Any]) -> str:
        """The `signature` attribute for an envelope whose `signer` is already set."""
        return _b64url(self.key.sign(canonical_bytes(envelope)))

    def sign(self, envelope: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of the envelope signed by this principal (an old signature replaced)."""
        signed = {k: v for k, v in envelope.items() if k not in (SIGNER, SIGNATURE)}
        signed[SIGNER] = self.name
        signed[SIGNATURE] = self.signature_of(signed)
        return signed

    def sign_bytes(self, unsigned: bytes) -> bytes:
        """Kafka value bytes of an unsigned envelope, with `signer` and `signature` appended.

        The original bytes stay as they are; the two attributes are added before the
        closing brace.
        """
        envelope = self._with_signer(unsigned)
        return _appended(unsigned, self.name, self.signature_of(envelope))

    def sign_many_bytes(self, unsigned: Sequence[bytes]) -> list[bytes]:
        """`sign_bytes` for many, one signature per `SIGNED_BATCH_SIZE` events.

        See `contracts.signature_batches`; a chunk of one gets the single form.
        """
        signed: list[bytes] = []
        for start in range(0, len(unsigned), SIGNED_BATCH_SIZE):
            chunk = unsigned[start : start + SIGNED_BATCH_SIZE]
            if len(chunk) == 1:
                signed.append(self.sign_bytes(chunk[0]))
                continue
            leaves = [leaf_hash(canonical_bytes(self._with_signer(value))) for value in chunk]
            root, batch_proofs = proofs(leaves)
            root_signature = _b64url(self.key.sign(root_message(root)))
            signed.extend(
                _appended(value, self.name, _batch_signature(root_signature, proof))
                for value, proof in zip(chunk, batch_proofs, strict=True)
            )
        return signed

    def _with_signer(self, unsigned: bytes) -> dict[str, Any]:
        envelope = orjson.loads(unsigned)
        if not isinstance(envelope, dict) or SIGNER in envelope or SIGNATURE in envelope:
            raise ValueError("sign_bytes takes an unsigned envelope (a JSON object)")
        envelope[SIGNER] = self.name
        return envelope


def _appended(unsigned: bytes, signer: str, signature: str) -> bytes:
    tail = orjson.dumps({SIGNER: signer, SIGNATURE: signature})
    return unsigned.rstrip()[:-1] + b"," + tail[1:]


def _batch_signature(root_signature: str, proof: BatchProof) -> str:
    return f"{root_signature}.{proof.position}.{proof.size}.{_b64url(proof.siblings)}"


def _batch_proof(signature: str) -> tuple[bytes, BatchProof]:
    """The root signature and the proof of a batch-form signature (ValueError if malformed)."""
    root_signature, index, count, siblings = signature.split(".")
    if not (index.isdigit() and count.isdigit()):
        raise ValueError("the batch signature's index and count must be decimal")
    return _from_b64url(root_signature), BatchProof(int(index), int(count), _from_b64url(siblings))


class TrustStore:
    """The public keys consumers trust, by principal name (from `trust.json`)."""

    def __init__(self, keys: Mapping[str, str]) -> None:
        self.keys = dict(keys)
        self._public: dict[str, Ed25519PublicKey] = {}
        self._verified_roots: dict[tuple[str, bytes], None] = {}  # oldest first
        for name, text in self.keys.items():
            try:
                raw = base64.b64decode(text, validate=True)
                self._public[name] = Ed25519PublicKey.from_public_bytes(raw)
            except (binascii.Error, ValueError) as exc:
                raise ValueError(f"trust: the key of {name!r} is not a base64 Ed25519 key") from exc

    @classmethod
    def from_file(cls, path: Path) -> TrustStore:
        """The trust file: a JSON object of principal name -> base64 raw public key."""
        loaded = orjson.loads(Path(path).read_bytes())
        if not isinstance(loaded, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()
        ):
            raise ValueError(f"{path}: a trust file is a JSON object of name -> public key")
        return cls(loaded)

    def verify(self, topic_name: str, envelope: Mapping[str, Any] | bytes) -> None:
        """Return if the envelope may be handled; `SignatureError` saying why not otherwise.

        Checked in order: signed at all, a known signer, a signer the topic registry
        lets produce `topic_name`, a valid signature of the canonical bytes.
        """
        if isinstance(envelope, bytes):
            try:
                envelope = orjson.loads(envelope)
            except orjson.JSONDecodeError:
                raise SignatureError("not a JSON object: nothing to verify") from None
            if not isinstance(envelope, dict):
                raise SignatureError("not a JSON object: nothing to verify")
        signer, signature = envelope.get(SIGNER), envelope.get(SIGNATURE)
        if signer is None or signature is None:
            raise SignatureError("unsigned: no signer or no signature attribute")
        if not isinstance(signer, str) or not isinstance(signature, str):
            raise SignatureError("signer and signature must be strings")
        public = self._public.get(signer)
        if public is None:
            raise SignatureError(f"unknown signer {signer!r}: not in the trust file")
        if signer not in topic(topic_name).producers:
            raise SignatureError(f"signer {signer!r} may not produce {topic_name}")
        try:
            if "." in signature:
                self._verify_in_batch(signer, public, signature, canonical_bytes(envelope))
            else:
                public.verify(_from_b64url(signature), canonical_bytes(envelope))
        except (InvalidSignature, binascii.Error, ValueError):
            raise SignatureError(f"bad signature: not {signer}'s signature of this event") from None

    def _verify_in_batch(
        self, signer: str, public: Ed25519PublicKey, signature: str, canonical: bytes
    ) -> None:
        """Check a batch-form signature; a root verified before for the signer is trusted."""
        root_signature, proof = _batch_proof(signature)
        root = root_from_proof(leaf_hash(canonical), proof)
        known = (signer, root)
        if known in self._verified_roots:
            return
        public.verify(root_signature, root_message(root))
        if len(self._verified_roots) >= VERIFIED_ROOTS_KEPT:
            self._verified_roots.pop(next(iter(self._verified_roots)))
        self._verified_roots[known] = None
