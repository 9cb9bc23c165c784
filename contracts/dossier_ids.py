"""Dossier ids, and which block of a unit's daily code sequence each service allocates from.

Ids derived from a caller's `client_ref` make runs reproducible and repeated
submissions idempotent; step ids derive from their parent.
"""

from __future__ import annotations

import uuid

from contracts.events import Channel

__all__ = [
    "DOSSIER_NAMESPACE",
    "SEQUENCE_BLOCKS",
    "dossier_id_for",
    "step_dossier_id",
]

DOSSIER_NAMESPACE = uuid.UUID("0b6f4a52-8d2e-4f0c-9a41-3c2d7e5b9f10")

#: Per-unit daily sequence numbers each allocating service owns (first, last), so three
#: services can allocate dossier codes for the same unit and day without coordination.
SEQUENCE_BLOCKS: dict[Channel, tuple[int, int]] = {
    Channel.ONLINE: (1, 5999),
    Channel.DESK: (6000, 8999),
    Channel.LINKED: (9000, 9999),
}


def dossier_id_for(channel: Channel, client_ref: str | None) -> str:
    """The id of a dossier entering by `channel`; random when no `client_ref` is given."""
    if client_ref is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(DOSSIER_NAMESPACE, f"{channel}:{client_ref}"))


def step_dossier_id(parent_dossier_id: str, step_index: int) -> str:
    """The id of step `step_index` of a linked group's parent dossier."""
    return str(uuid.uuid5(DOSSIER_NAMESPACE, f"{parent_dossier_id}/step/{step_index}"))
