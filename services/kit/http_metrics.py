"""Counting and timing a service's HTTP requests by route and status (ASGI middleware).

The route is the path template the router matched (`/dossiers/{code}`), so the labels
stay few whatever the paths asked; a request no route matched (a 404, or a body refused
before routing) is counted under `<unmatched>`. A request whose app raised is counted
with status 500, the answer the server gives it.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["UNMATCHED", "HttpMetrics", "http_instruments"]

UNMATCHED = "<unmatched>"
#: Seconds: the APIs answer in milliseconds; a slow intake waits for its store.
HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def http_instruments(registry: CollectorRegistry) -> tuple[Counter, Histogram]:
    """The request counter and the duration histogram, in this registry."""
    requests = Counter(
        "portalsim_http_requests",
        "HTTP requests answered, by route template, method and status.",
        ["route", "method", "status"],
        registry=registry,
    )
    seconds = Histogram(
        "portalsim_http_request_duration_seconds",
        "Time to answer an HTTP request, by route template and method.",
        ["route", "method"],
        buckets=HTTP_BUCKETS,
        registry=registry,
    )
    return requests, seconds


class HttpMetrics:
    """ASGI middleware: every HTTP request counted and timed, once it is answered."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.requests, self.seconds = http_instruments(registry)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless the app answers: the server's answer to an app that raised

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = str(scope.get("method", "?"))
            self.requests.labels(route, method, str(status)).inc()
            self.seconds.labels(route, method).observe(time.perf_counter() - started)
