"""A service's HTTP application leaves spans to the kit's own tracing."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from services.kit.http_app import service_http_app


async def _spans_of_one_request(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> int:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider)  # a global provider

    @app.get("/answer")
    async def answer() -> dict[str, int]:
        return {"answer": 42}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        assert (await client.get("/answer")).status_code == 200
    return len(exporter.get_finished_spans())


async def test_a_plain_fastapi_app_would_trace_requests_with_a_global_provider(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert await _spans_of_one_request(FastAPI(), monkeypatch) > 0  # what is switched off


async def test_a_service_app_adds_no_spans_of_its_own_to_a_global_provider(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = service_http_app("portalsim test", "A service under test.")
    assert await _spans_of_one_request(app, monkeypatch) == 0
