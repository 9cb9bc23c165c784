"""`python -m services.city_portal`: run Hanoi's city portal against a Kafka broker."""

from __future__ import annotations

import asyncio

from services.city_portal.app import build_runtime
from services.city_portal.settings import CityPortalSettings
from services.kit.logging import configure_logging
from services.kit.runtime import run_service
from services.kit.settings import parse_settings


def main() -> None:
    """Parse settings, configure logging, serve until SIGTERM."""
    settings = parse_settings(CityPortalSettings, description=CityPortalSettings.__doc__ or "")
    configure_logging("city_portal", settings.log_level, settings.log_json)
    asyncio.run(run_service(build_runtime(settings)))


if __name__ == "__main__":
    main()
