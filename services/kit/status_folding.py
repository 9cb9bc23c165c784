"""Status changes travel with the events they belong to: one event per dossier, not one each.

What a service publishes while handling one event may change a dossier's status several
times (the national portal: `processing`, then `approved` with the settlement). Those
changes travel together: in the `transitions` of the dossier's `dossier.settled` published
at the same time, else of its `dossier.routed`, else in one `dossier.status.changed`
(at the place of the first). Nothing is dropped: each change keeps its status, author,
note and simulated time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pydantic import BaseModel

from contracts.events import DossierStatusChanged, StatusTransition
from services.kit.outgoing import Outgoing

__all__ = ["STATUS_TOPIC", "fold_statuses"]

STATUS_TOPIC = "dossier.status.changed"
_CARRIERS = ("dossier.settled", "dossier.routed")  # the first one found is preferred


def _dossier_of(event: Outgoing) -> str | None:
    value = getattr(event.payload, "dossier_id", None)
    return str(value) if value is not None else None


def _carriers(events: Sequence[Outgoing]) -> dict[str, int]:
    """Per dossier, the index of the event its status changes travel in (settled, routed)."""
    found: dict[str, int] = {}
    for index, event in enumerate(events):
        dossier = _dossier_of(event)
        if dossier is None or event.topic not in _CARRIERS:
            continue
        held = found.get(dossier)
        rank = _CARRIERS.index(event.topic)
        if held is None or rank <= _CARRIERS.index(events[held].topic):
            found[dossier] = index
    return found


def _with(event: Outgoing, transitions: list[StatusTransition]) -> Outgoing:
    payload: BaseModel = event.payload
    carried: list[StatusTransition] = list(getattr(payload, "transitions", []))
    if isinstance(payload, DossierStatusChanged):
        carried = []  # its own are among `transitions`, in order
        simtime = transitions[-1].simtime
    else:
        simtime = event.simtime  # type: ignore[assignment]
    merged = payload.model_copy(update={"transitions": [*carried, *transitions]})
    return replace(event, payload=merged, simtime=simtime)


def fold_statuses(events: Sequence[Outgoing]) -> tuple[list[Outgoing], list[int]]:
    """The events to publish, and for each given event the index of the one carrying it."""
    statuses: dict[str, list[int]] = {}
    for index, event in enumerate(events):
        dossier = _dossier_of(event)
        if event.topic == STATUS_TOPIC and dossier is not None:
            statuses.setdefault(dossier, []).append(index)
    if not statuses:
        return list(events), list(range(len(events)))
    carriers = _carriers(events)
    home: dict[int, int] = {}  # a status change's index -> the index of its carrier
    takes: dict[int, list[StatusTransition]] = {}  # carrier's index -> what it carries
    for dossier, indexes in statuses.items():
        carrier = carriers.get(dossier, indexes[0])
        takes[carrier] = [t for i in indexes for t in getattr(events[i].payload, "transitions", [])]
        home.update(dict.fromkeys(indexes, carrier))
    folded: list[Outgoing] = []
    position: dict[int, int] = {}
    for index, event in enumerate(events):
        if home.get(index, index) != index:
            continue  # travels in its carrier
        position[index] = len(folded)
        folded.append(_with(event, takes[index]) if index in takes else event)
    return folded, [position[home.get(i, i)] for i in range(len(events))]
