"""`python -m services.national_portal`: run the national portal against a Kafka broker."""

from __future__ import annotations

import asyncio

from services.kit.logging import configure_logging
from services.kit.runtime import run_service
from services.kit.settings import parse_settings
from services.national_portal.app import build_runtime
from services.national_portal.settings import NationalPortalSettings


def main() -> None:
    """Parse the settings, configure logging, serve until SIGTERM or SIGINT."""
    settings = parse_settings(
        NationalPortalSettings,
        description="National Public Service Portal: ministry adapters and linked groups.",
    )
    configure_logging("national_portal", settings.log_level, settings.log_json)
    asyncio.run(run_service(build_runtime(settings)))


if __name__ == "__main__":
    main()
