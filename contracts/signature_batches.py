"""One Ed25519 signature for a batch of events: a Merkle tree over their canonical bytes.

A producer that publishes many events at once (a service's follow-ups of one consumed
batch) signs them together: each event's leaf hash is SHA-256 of `0x00` and its canonical
bytes (`contracts.signing.canonical_bytes`), two nodes hash as SHA-256 of `0x01`, the left
and the right node, and an odd node at the end of a level goes up unchanged. The producer
signs `ROOT_CONTEXT` followed by the 32-byte root, once for the whole batch.

Each event's `signature` attribute is then the batch form (the four parts joined by `.`):

    <root signature, base64url> . <index> . <count> . <sibling hashes, base64url>

index and count in decimal (the event's place in the batch, the batch's size), the
sibling hashes concatenated from the leaf up (only at levels where the node has one).
A verifier recomputes the root from the event's own bytes and the siblings and checks
the root's signature; a root already verified for the same signer need not be checked
again, which makes verifying a batch's events cost about one signature check in all.

A signature without `.` is the single form: Ed25519 over the canonical bytes themselves.
The two cannot be confused: canonical bytes start with `{`, a root message with `ROOT_CONTEXT`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import NamedTuple

__all__ = [
    "MAX_BATCH",
    "ROOT_CONTEXT",
    "BatchProof",
    "leaf_hash",
    "proofs",
    "root_from_proof",
    "root_message",
]

ROOT_CONTEXT = b"portalsim.signature-batch.v1:"
MAX_BATCH = 1 << 20
_LEAF, _NODE = b"\x00", b"\x01"
_sha256 = hashlib.sha256


class BatchProof(NamedTuple):
    """Where one event sits in a signed batch: its index, the batch size, its siblings."""

    position: int
    size: int
    siblings: bytes  # 32 bytes per level where the event's node has a sibling


def leaf_hash(canonical: bytes) -> bytes:
    """The leaf of an event: SHA-256 of 0x00 and its canonical bytes."""
    return _sha256(_LEAF + canonical).digest()


def root_message(root: bytes) -> bytes:
    """The bytes the batch's Ed25519 signature covers."""
    return ROOT_CONTEXT + root


def proofs(leaves: Sequence[bytes]) -> tuple[bytes, list[BatchProof]]:
    """The root of a batch's leaves and every leaf's proof, in the leaves' order."""
    count = len(leaves)
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"a signed batch holds 1 to {MAX_BATCH} events, not {count}")
    paths: list[list[bytes]] = [[] for _ in range(count)]
    members: list[list[int]] = [[i] for i in range(count)]  # the leaves under each node
    level = list(leaves)
    while len(level) > 1:
        above: list[bytes] = []
        grouped: list[list[int]] = []
        for left in range(0, len(level) - 1, 2):
            a, b = level[left], level[left + 1]
            for leaf in members[left]:
                paths[leaf].append(b)
            for leaf in members[left + 1]:
                paths[leaf].append(a)
            above.append(_sha256(_NODE + a + b).digest())
            grouped.append(members[left] + members[left + 1])
        if len(level) % 2:  # the odd node goes up unchanged
            above.append(level[-1])
            grouped.append(members[-1])
        level, members = above, grouped
    return level[0], [BatchProof(i, count, b"".join(path)) for i, path in enumerate(paths)]


def root_from_proof(leaf: bytes, proof: BatchProof) -> bytes:
    """The root a leaf and its proof lead to; ValueError if the proof cannot fit the batch."""
    index, count, siblings = proof
    if not 0 <= index < count <= MAX_BATCH or len(siblings) % 32:
        raise ValueError("the batch proof's index, count or siblings are malformed")
    node, used, width = leaf, 0, count
    while width > 1:
        if index ^ 1 < width:  # a sibling at this level
            sibling = siblings[used : used + 32]
            if len(sibling) != 32:
                raise ValueError("the batch proof has too few sibling hashes")
            used += 32
            pair = node + sibling if index % 2 == 0 else sibling + node
            node = _sha256(_NODE + pair).digest()
        index //= 2
        width = (width + 1) // 2
    if used != len(siblings):
        raise ValueError("the batch proof has more sibling hashes than the batch has levels")
    return node
