"""Every route of every service runs on its event loop: no step of a request takes a thread.

FastAPI runs a plain `def` dependency or route on its thread pool: a thread hop and a GIL
handover per request (py-spy on the city portal under a thousand applicants in flight: the
bearer-token dependency alone, 8 % of its HTTP time). The checks a request goes through are
small and never block, so they are all `async def`.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from services.kit.settings import ServiceSettings
from simulator.system.settings import SETTINGS_CLASSES

SERVICES = ["city_portal", "population_db", "national_portal", "one_stop"]


def _settings(service: str, data_dir: Path) -> ServiceSettings:
    extra: dict[str, Any] = {}
    settings_class = SETTINGS_CLASSES[service]
    if "population_size" in settings_class.model_fields:
        extra["population_size"] = 1000  # a small seed, never started here
    return settings_class(data_dir=data_dir, **extra)


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def _runs_on_the_loop(call: Any) -> bool:
    if inspect.iscoroutinefunction(call):
        return True
    # a class instance (HTTPBearer) runs on the loop when its class's call is async
    return not inspect.isfunction(call) and inspect.iscoroutinefunction(type(call).__call__)


@pytest.mark.parametrize("service", SERVICES)
def test_no_route_or_dependency_of_a_service_runs_on_a_thread(service: str, tmp_path: Path) -> None:
    app_module = importlib.import_module(f"services.{service}.app")
    runtime = app_module.build_runtime(_settings(service, tmp_path))
    try:
        every_route = [c.original_route for c in iter_route_contexts(runtime.http.routes)]
        routes = [r for r in every_route if isinstance(r, APIRoute)]
        on_threads = [
            f"{route.path} {getattr(call, '__qualname__', call)}"
            for route in routes
            for call in [route.endpoint, *_calls(route.dependant)]
            if not _runs_on_the_loop(call)
        ]
    finally:
        runtime.messaging.worker.close()
    assert routes, f"{service} has no routes"
    assert on_threads == []
