"""`python -m services.population_db`: run the service alone (`--help` lists its settings)."""

from __future__ import annotations

from services.kit.main import serve
from services.population_db.app import build_runtime
from services.population_db.settings import PopulationDbSettings

DESCRIPTION = (
    "portalsim population_db: the national population database (identity checks, civil-"
    "status changes)."
)


def main() -> None:
    """Serve until SIGTERM or SIGINT."""
    serve("population_db", PopulationDbSettings, build_runtime, DESCRIPTION)


if __name__ == "__main__":
    main()
