"""Run the one_stop service alone: ``python -m services.one_stop --help``."""

from __future__ import annotations

import asyncio

from services.kit.logging import configure_logging
from services.kit.runtime import run_service
from services.kit.settings import parse_settings
from services.one_stop.app import build_runtime
from services.one_stop.settings import OneStopSettings


def main() -> None:
    """Parse the settings, configure logging, serve until SIGTERM or SIGINT."""
    settings = parse_settings(
        OneStopSettings,
        description="portalsim one_stop: the one-stop desks (Bộ phận Một cửa) of Hanoi's "
        "districts and communes, taking paper dossiers in and digitising them.",
    )
    configure_logging("one_stop", settings.log_level, settings.log_json)
    asyncio.run(run_service(build_runtime(settings)))


if __name__ == "__main__":
    main()
