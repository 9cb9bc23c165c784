"""An event's place in a run: the how-manyth of its producer's events on one topic, key
and correlation it is.

An event's id derives from its cause, so when two inputs race (a linked step's
settlement and its child's new record both move a group on; whichever comes last causes
the next step) the same event gets another id in another run. Its place stays: the next
step is still the first `dossier.submitted` for its key in its group. Counted over one
producer's events in log order (a key's events share a partition, so their order is
their offset order).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

__all__ = ["Place", "PlaceCounter"]

#: topic, Kafka key, correlation id, and how many such events came before.
Place = tuple[str, str | None, str, int]


class PlaceCounter:
    """Gives each event of one producer its place, in the order they are shown."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str | None, str]] = Counter()

    def place(self, topic: str, key: str | None, value: dict[str, Any]) -> Place:
        """The place of the next event on `topic` with this key and value."""
        where = (topic, key, str(value.get("correlationid")))
        seen = self._counts[where]
        self._counts[where] = seen + 1
        return (*where, seen)
