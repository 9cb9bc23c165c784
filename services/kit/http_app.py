"""A service's HTTP application: FastAPI, with the kit's own tracing and metrics only.

FastAPI (0.165 on) instruments every request with OpenTelemetry when a global provider is
configured, and asks whether one is, through the environment, on every request. A
service's spans and request metrics are the kit's (`HttpTracing`, `HttpMetrics`, added by
`ServiceRuntime.build`): FastAPI's own would count each request twice, so they are off.
"""

from __future__ import annotations

from fastapi import FastAPI

__all__ = ["service_http_app"]


def service_http_app(title: str, description: str) -> FastAPI:
    """The FastAPI application of the service `title`, described by `description`."""
    return FastAPI(
        title=title,
        description=description,
        version="1",
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
