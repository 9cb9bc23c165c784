"""The status changes a recorded or observed event carries, whatever its version.

Since `dossier.status.changed` version 2 a change travels in the `transitions` of a
`dossier.status.changed`, a `dossier.settled` or a `dossier.routed`
(`services.kit.status_folding`); version 1 carried one change as `status` and `by`,
at the envelope's `simtime`. Readers of logs and of the bus take both from here.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["CARRYING_TOPICS", "StatusSeen", "status_changes"]

#: The topics whose events may carry status changes.
CARRYING_TOPICS = frozenset({"dossier.status.changed", "dossier.settled", "dossier.routed"})


class StatusSeen(NamedTuple):
    """One status change as an event carries it (simtime as written, ISO 8601)."""

    status: str
    by: str
    note: str
    simtime: Any


def status_changes(topic: str, data: dict[str, Any], simtime: Any) -> list[StatusSeen]:
    """The changes in an event's `data` (`simtime`: the envelope's, for version 1)."""
    if topic not in CARRYING_TOPICS:
        return []
    carried = data.get("transitions")
    if isinstance(carried, list):
        return [
            StatusSeen(
                str(t.get("status")), str(t.get("by")), str(t.get("note", "")), t.get("simtime")
            )
            for t in carried
            if isinstance(t, dict)
        ]
    if topic == "dossier.status.changed" and "status" in data:  # version 1
        return [
            StatusSeen(str(data["status"]), str(data.get("by")), str(data.get("note", "")), simtime)
        ]
    return []
