"""`python -m services.population_db`: run the national population database service."""

from __future__ import annotations

import asyncio

from services.kit.logging import configure_logging
from services.kit.runtime import run_service
from services.kit.settings import parse_settings
from services.population_db.app import build_runtime
from services.population_db.settings import PopulationDbSettings


def main() -> None:
    """Parse settings, configure logging, run until SIGTERM."""
    settings = parse_settings(
        PopulationDbSettings,
        description="portalsim population_db: the national population database "
        "(identity checks, civil-status changes).",
    )
    configure_logging("population_db", settings.log_level, settings.log_json)
    asyncio.run(run_service(build_runtime(settings)))


if __name__ == "__main__":
    main()
