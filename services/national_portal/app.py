"""Wiring of the national portal: store, adapters, handlers, HTTP API, runtime."""

from __future__ import annotations

from contracts.catalogue import Portal, load_catalogue
from contracts.topics import ServiceName
from services.kit.health import health_router
from services.kit.http_app import service_http_app
from services.kit.operations import mount_operations
from services.kit.runtime import ServiceRuntime
from services.national_portal.handlers import NationalPortalHandlers
from services.national_portal.http_api import national_portal_router
from services.national_portal.ministries import Adapter, build_adapters
from services.national_portal.settings import NationalPortalSettings
from services.national_portal.store import NationalPortalStore

__all__ = ["build_runtime"]


def _adapters(settings: NationalPortalSettings) -> dict[Portal, Adapter]:
    return build_adapters(settings.rejection_rate, settings.late_rate)


def build_runtime(settings: NationalPortalSettings) -> ServiceRuntime:
    """The national portal, ready to run."""
    catalogue = load_catalogue()
    adapters = _adapters(settings)
    store = NationalPortalStore.from_settings(settings, "national_portal", "national_portal.sqlite")
    http = service_http_app(
        "portalsim national_portal",
        "National Public Service Portal (Cổng Dịch vụ công quốc gia), its ministry "
        "portal adapters and the linked procedure groups.",
    )
    runtime = ServiceRuntime.build(ServiceName.NATIONAL_PORTAL, settings, store, http)
    handlers = NationalPortalHandlers(
        store,
        catalogue,
        adapters,
        settings.id_card_capacity_per_day,
        settings.card_line_follows_clock,
    )
    live = mount_operations(runtime)
    live.on_change(
        lambda new: handlers.follow_policies(_adapters(new), new.id_card_capacity_per_day)
    )
    on = runtime.messaging.on
    on("dossier.routed")(handlers.on_dossier_routed)
    on("dossier.settled")(handlers.on_dossier_settled)
    runtime.messaging.skip_own("dossier.settled")  # its own steps move on as they settle
    on("population.record.changed")(handlers.on_population_record_changed)
    on("simulated.clock.advanced")(handlers.on_simulated_clock_advanced)
    http.include_router(health_router(runtime))
    http.include_router(national_portal_router(runtime.messaging.worker, store))
    return runtime
