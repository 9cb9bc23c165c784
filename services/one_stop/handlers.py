"""The one-stop desks' Kafka handler: a settled desk dossier is handed back at its desk.

It runs on the store worker inside the kit's batch transaction (see `services.kit.messaging`).
"""

from __future__ import annotations

import structlog

from contracts.envelope import CloudEvent
from contracts.events import Channel, DossierSettled
from services.kit.emitter import HandlerContext
from services.one_stop.domain import returned_at_desk
from services.one_stop.store import OneStopStore

__all__ = ["OneStopHandlers"]

log = structlog.get_logger("portalsim.one_stop")


class OneStopHandlers:
    """Handlers of the topics the one-stop desks consume."""

    def __init__(self, store: OneStopStore) -> None:
        self.store = store

    # -- dossier.settled ------------------------------------------------------------------
    def on_dossier_settled(self, event: CloudEvent[DossierSettled], ctx: HandlerContext) -> None:
        """A desk dossier was decided: record it and hand the result back at the desk."""
        settled = event.data
        desk_dossier = settled.channel is Channel.DESK
        dossier = self.store.dossier(settled.dossier_id) if desk_dossier else None
        returned = returned_at_desk(dossier, settled)
        if returned is None:
            log.debug(
                "settlement not returned at a desk",
                dossier_id=settled.dossier_id,
                event_id=event.id,
                channel=str(settled.channel),
            )
            return
        self.store.record_settlement(settled)
        ctx.publish([returned])
