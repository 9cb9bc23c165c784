"""Wiring of the one_stop service: settings, store, Kafka handler, HTTP routers."""

from __future__ import annotations

from contracts.catalogue import load_catalogue
from contracts.topics import ServiceName
from services.kit.health import health_router
from services.kit.http_app import service_http_app
from services.kit.operations import mount_operations
from services.kit.public_api import guard_public_api
from services.kit.runtime import ServiceRuntime
from services.one_stop.handlers import OneStopHandlers
from services.one_stop.http_api import desk_router
from services.one_stop.settings import OneStopSettings
from services.one_stop.store import OneStopStore
from services.one_stop.use_cases import DeskConfig

__all__ = ["build_runtime"]

STORE_FILE = "one_stop.sqlite"


def build_runtime(settings: OneStopSettings) -> ServiceRuntime:
    """The one_stop service: desks that take paper dossiers in and hand results back."""
    store = OneStopStore.from_settings(settings, "one_stop", STORE_FILE)
    http = service_http_app(
        "portalsim one_stop",
        "One-stop desks (Bộ phận Một cửa) of Hanoi's districts and communes: "
        "paper dossiers taken in, digitised in simulated time, results handed back.",
    )
    guard_public_api(http, settings)
    runtime = ServiceRuntime.build(ServiceName.ONE_STOP, settings, store, http)
    handlers = OneStopHandlers(store)
    runtime.messaging.on("dossier.settled")(handlers.on_dossier_settled)
    desks = DeskConfig(settings, load_catalogue(), runtime.messaging.factory)
    mount_operations(runtime)  # capacities and scan failures are read from settings as used
    http.include_router(health_router(runtime))
    http.include_router(desk_router(runtime.messaging, desks, store))
    return runtime
