"""`python -m services.city_portal`: run the service alone (`--help` lists its settings)."""

from __future__ import annotations

from services.city_portal.app import build_runtime
from services.city_portal.settings import CityPortalSettings
from services.kit.main import serve

DESCRIPTION = (
    "portalsim city_portal: Hanoi's public-service portal (accounts, online submissions, "
    "birth, marriage and death registration, routing of the other 22 procedures)."
)


def main() -> None:
    """Serve until SIGTERM or SIGINT."""
    serve("city_portal", CityPortalSettings, build_runtime, DESCRIPTION)


if __name__ == "__main__":
    main()
