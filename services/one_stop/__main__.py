"""`python -m services.one_stop`: run the service alone (`--help` lists its settings)."""

from __future__ import annotations

from services.kit.main import serve
from services.one_stop.app import build_runtime
from services.one_stop.settings import OneStopSettings

DESCRIPTION = (
    "portalsim one_stop: the one-stop desks (Bộ phận Một cửa) of Hanoi's districts and "
    "communes, taking paper dossiers in and digitising them."
)


def main() -> None:
    """Serve until SIGTERM or SIGINT."""
    serve("one_stop", OneStopSettings, build_runtime, DESCRIPTION)


if __name__ == "__main__":
    main()
