"""Wiring of the city portal: store, handlers, HTTP API, runtime."""

from __future__ import annotations

from contracts.catalogue import Catalogue, CatalogueError, load_catalogue
from contracts.topics import ServiceName
from services.city_portal.civil_status import MarriagePolicy
from services.city_portal.handlers import CityPortalHandlers
from services.city_portal.http_api import city_portal_router
from services.city_portal.settings import CityPortalSettings
from services.city_portal.store import CityPortalStore
from services.kit.health import health_router
from services.kit.http_app import service_http_app
from services.kit.operations import mount_operations
from services.kit.policies import PolicyRefusedError
from services.kit.public_api import guard_public_api
from services.kit.runtime import ServiceRuntime

__all__ = ["build_runtime"]


def _marriage_policy(settings: CityPortalSettings) -> MarriagePolicy:
    return MarriagePolicy(settings.marriage_min_age_male, settings.marriage_min_age_female)


def _policies(settings: CityPortalSettings) -> tuple[Catalogue, MarriagePolicy]:
    """The catalogue and marriage policy of new policies (refused naming the field)."""
    try:
        catalogue = load_catalogue().with_overrides(settings.routing_overrides)
    except CatalogueError as exc:
        raise PolicyRefusedError("routing_overrides", str(exc)) from None
    return catalogue, _marriage_policy(settings)


def build_runtime(settings: CityPortalSettings) -> ServiceRuntime:
    """The city portal, ready to run."""
    catalogue = load_catalogue().with_overrides(settings.routing_overrides)
    store = CityPortalStore.from_settings(settings, "city_portal", "city_portal.sqlite")
    http = service_http_app(
        "portalsim city_portal",
        "Hanoi's public-service portal (Cổng dịch vụ công Thành phố Hà Nội).",
    )
    guard_public_api(http, settings)
    runtime = ServiceRuntime.build(ServiceName.CITY_PORTAL, settings, store, http)
    handlers = CityPortalHandlers(store, catalogue, _marriage_policy(settings))
    mount_operations(runtime).on_change(lambda new: handlers.follow(*_policies(new)))
    on = runtime.messaging.on
    on("dossier.submitted")(handlers.on_dossier_submitted)
    on("identity.check.completed")(handlers.on_identity_check_completed)
    on("dossier.settled")(handlers.on_dossier_settled)
    on("dossier.status.changed")(handlers.on_dossier_status_changed)
    runtime.messaging.skip_own("dossier.status.changed")  # recorded as they are published
    on("population.record.changed")(handlers.on_population_record_changed)
    http.include_router(health_router(runtime))
    http.include_router(city_portal_router(settings, runtime.messaging, store, catalogue))
    return runtime
