"""The server span of a traced HTTP request (one carrying a sampled W3C `traceparent`).

A plain ASGI middleware: a request with a valid, sampled `traceparent` header gets a
server span, a child of the caller's span, and while it is answered the events it makes
(`EventFactory.record_input`) carry the server span's `traceparent` (`tracing.request_context`).
A request without one costs a header lookup. A service that records no spans passes the
caller's `traceparent` on to its events unchanged.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.trace import SpanKind

from services.kit.tracing import Tracing, format_traceparent, parse_traceparent, request_context

__all__ = ["HttpTracing"]


class HttpTracing:
    """ASGI middleware: a span per traced request (see the module's text)."""

    def __init__(self, app: Any, tracing: Tracing) -> None:
        self.app = app
        self.tracing = tracing

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        header = _traceparent_header(scope) if scope["type"] == "http" else None
        parent = parse_traceparent(header)
        if header is None or parent is None or not parent.sampled:
            await self.app(scope, receive, send)
            return
        span = self.tracing.start(
            f"{self.tracing.name} {scope['method']} {scope['path']}",
            parent,
            kind=SpanKind.SERVER,
            attributes={
                "portalsim.portal": self.tracing.name,
                "http.request.method": scope["method"],
                "url.path": scope["path"],
            },
        )
        if span is None:
            with request_context(header, None):
                await self.app(scope, receive, send)
            return
        context = span.get_span_context()

        async def send_noting_status(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                span.set_attribute("http.response.status_code", int(message["status"]))
            await send(message)

        try:
            with request_context(format_traceparent(context.trace_id, context.span_id), span):
                await self.app(scope, receive, send_noting_status)
        finally:
            span.end()


def _traceparent_header(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers") or ():
        if name == b"traceparent":
            return bytes(value).decode("latin-1")
    return None
