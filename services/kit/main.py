"""What every service's `__main__` does: settings from flags and env, logging, serve."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from services.kit.logging import configure_logging
from services.kit.runtime import ServiceRuntime, run_service
from services.kit.settings import ServiceSettings, parse_settings
from services.kit.signing import SigningConfigError

__all__ = ["serve"]

S = TypeVar("S", bound=ServiceSettings)


def serve(
    name: str,
    settings_class: type[S],
    build_runtime: Callable[[S], ServiceRuntime],
    description: str,
) -> None:
    """Parse the settings (`--help` lists them), configure logging, serve until SIGTERM."""
    settings = parse_settings(settings_class, description=description)
    configure_logging(name, settings.log_level, settings.log_json)
    try:
        runtime = build_runtime(settings)
    except SigningConfigError as exc:
        raise SystemExit(f"portalsim {name}: refusing to start: {exc}") from None
    asyncio.run(run_service(runtime))
