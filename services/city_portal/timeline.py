"""Dossier statuses and their timeline.

The city portal records its own status changes in the timeline as it publishes them,
in the same transaction; its consumer skips them when they come back (`skip_own`),
so each change is recorded once. Changes made by other services are recorded when
they arrive. An entry is the same either way: status, by, note, simulated time, the
envelope's time and the event id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts.events import DossierStatus, DossierStatusChanged, DossierSubmitted
from services.city_portal.store import CityPortalStore
from services.kit import HandlerContext

__all__ = ["BY", "publish_status", "record_change", "status_event"]

BY = "city_portal"


def status_event(
    sub: DossierSubmitted, status: DossierStatus, note: str = ""
) -> DossierStatusChanged:
    """A status change of a dossier made by the city portal."""
    return DossierStatusChanged(
        dossier_id=sub.dossier_id,
        dossier_code=sub.dossier_code,
        procedure_code=sub.procedure_code,
        status=status,
        by=BY,
        note=note,
    )


def timeline_entry(
    change: DossierStatusChanged, event_id: str, simtime: datetime, time: datetime
) -> dict[str, Any]:
    """One entry of a dossier's timeline."""
    return {
        "status": change.status.value,
        "by": change.by,
        "note": change.note,
        "simtime": simtime.isoformat(),
        "time": time.isoformat(),
        "event_id": event_id,
    }


def record_change(
    store: CityPortalStore,
    change: DossierStatusChanged,
    event_id: str,
    simtime: datetime,
    time: datetime,
) -> None:
    """Append a change to the dossier's timeline and keep its latest status."""
    store.add_timeline(change.dossier_id, timeline_entry(change, event_id, simtime, time))
    store.set_status(change.dossier_id, change.status.value)


def publish_status(
    store: CityPortalStore,
    ctx: HandlerContext,
    sub: DossierSubmitted,
    status: DossierStatus,
    note: str = "",
    simtime: datetime | None = None,
) -> None:
    """Publish a status change made by the city portal and record it in the timeline."""
    change = status_event(sub, status, note)
    emitted = ctx.emit("dossier.status.changed", change, simtime=simtime)
    record_change(store, change, emitted.event_id, emitted.simtime, emitted.time)
