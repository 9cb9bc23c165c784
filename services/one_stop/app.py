"""The one_stop service: its store, HTTP API and Kafka handler, wired on the kit's runtime."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI

from contracts.catalogue import load_catalogue
from contracts.envelope import CloudEvent
from contracts.events import DossierSettled
from contracts.topics import ServiceName
from services.kit.emitter import HandlerContext
from services.kit.health import health_router
from services.kit.public_api import guard_public_api
from services.kit.runtime import ServiceRuntime
from services.one_stop.api import desk_router
from services.one_stop.settings import OneStopSettings
from services.one_stop.store import OneStopStore
from services.one_stop.workflow import Desks

__all__ = ["build_runtime"]

STORE_FILE = "one_stop.sqlite"
log = structlog.get_logger("portalsim.one_stop")


def build_runtime(settings: OneStopSettings) -> ServiceRuntime:
    """The one_stop service: desks that take paper dossiers in and hand results back."""
    store = OneStopStore(settings.data_dir / STORE_FILE)
    http = FastAPI(
        title="portalsim one_stop",
        description="One-stop desks (Bộ phận Một cửa) of Hanoi's districts and communes: "
        "paper dossiers taken in, digitised in simulated time, results handed back.",
        version="1",
    )
    guard_public_api(http, settings)
    runtime = ServiceRuntime.build(ServiceName.ONE_STOP, settings, store, http)
    desks = Desks(settings, load_catalogue(), runtime.messaging.factory)
    http.include_router(health_router(runtime))
    http.include_router(desk_router(runtime.messaging, desks, store))

    @runtime.messaging.on("dossier.settled")
    def on_dossier_settled(event: CloudEvent[Any], ctx: HandlerContext) -> None:
        """A desk dossier was decided: record it and hand the result back at the desk."""
        settled: DossierSettled = event.data
        status = desks.return_at_desk(store, settled)
        if status is None:
            log.debug(
                "settlement not returned at a desk",
                dossier_id=settled.dossier_id,
                event_id=event.id,
                channel=str(settled.channel),
            )
            return
        ctx.emit(
            "dossier.status.changed",
            status,
            simtime=settled.settled_simtime,
            subject=status.dossier_id,
        )

    return runtime
