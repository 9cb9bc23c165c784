"""`python -m services.national_portal`: run the service alone (`--help` lists its settings)."""

from __future__ import annotations

from services.kit.main import serve
from services.national_portal.app import build_runtime
from services.national_portal.settings import NationalPortalSettings

DESCRIPTION = (
    "portalsim national_portal: the National Public Service Portal, its ministry adapters "
    "and the linked groups."
)


def main() -> None:
    """Serve until SIGTERM or SIGINT."""
    serve("national_portal", NationalPortalSettings, build_runtime, DESCRIPTION)


if __name__ == "__main__":
    main()
