"""The kit's spans: a traced event's handler span and its follow-ups' `traceparent`, a traced
HTTP request's server span and its input event's `traceparent`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI

from contracts.events import DossierSubmitted
from services.kit import EventFactory, Outgoing
from services.kit.http_tracing import HttpTracing
from services.kit.tracing import (
    Tracing,
    format_traceparent,
    parse_traceparent,
    span_id_of,
    trace_id_of,
)
from services.kit.tracing_export import tracing_for
from simulator.traces.folder import read_spans
from tests.factories import envelope, submission
from tests.service.conftest import KitHarnessFactory

APPLICANT_SPAN = span_id_of("applicant/d")


def _traced_submission() -> tuple[DossierSubmitted, str]:
    payload = submission()
    return payload, format_traceparent(trace_id_of(payload.dossier_id), APPLICANT_SPAN)


@pytest.fixture
def tracing(tmp_path: Path) -> Tracing:
    return tracing_for("city_portal", tmp_path / "traces")


async def test_a_traced_event_is_handled_in_a_span_named_after_its_dossier(
    kit_harness: KitHarnessFactory, tracing: Tracing, tmp_path: Path
) -> None:
    payload, traceparent = _traced_submission()
    event = envelope(payload, traceparent=traceparent)
    async with kit_harness(tracing=tracing) as kit:
        await kit.broker.publish(event.to_bytes(), "dossier.submitted")
    tracing.shutdown()
    [span] = read_spans(tmp_path / "traces")
    assert span["trace_id"] == f"{trace_id_of(payload.dossier_id):032x}"
    assert span["parent_id"] == f"{APPLICANT_SPAN:016x}"
    assert span["span_id"] == f"{span_id_of(f'city_portal/{event.id}'):016x}"
    assert span["name"] == "city_portal handles dossier.submitted"
    assert span["attributes"]["portalsim.dossier_id"] == payload.dossier_id
    assert span["attributes"]["portalsim.procedure_code"] == payload.procedure_code
    assert span["attributes"]["portalsim.portal"] == "city_portal"


async def test_the_follow_ups_of_a_traced_event_carry_its_handler_span(
    kit_harness: KitHarnessFactory, tracing: Tracing
) -> None:
    payload, traceparent = _traced_submission()
    event = envelope(payload, traceparent=traceparent)
    async with kit_harness(tracing=tracing) as kit:
        await kit.broker.publish(event.to_bytes(), "dossier.submitted")
    [follow_up] = kit.published
    carried = parse_traceparent(orjson.loads(follow_up.value)["traceparent"])
    assert carried is not None
    assert carried.trace_id == trace_id_of(payload.dossier_id)
    assert carried.span_id == span_id_of(f"city_portal/{event.id}")


async def test_an_untraced_event_gets_no_span_and_its_follow_ups_no_traceparent(
    kit_harness: KitHarnessFactory, tracing: Tracing, tmp_path: Path
) -> None:
    async with kit_harness(tracing=tracing) as kit:
        await kit.broker.publish(envelope(submission()).to_bytes(), "dossier.submitted")
    tracing.shutdown()
    [follow_up] = kit.published
    assert "traceparent" not in orjson.loads(follow_up.value)
    assert read_spans(tmp_path / "traces") == []


async def test_a_service_recording_no_spans_passes_the_traceparent_on(
    kit_harness: KitHarnessFactory,
) -> None:
    _, traceparent = _traced_submission()
    async with kit_harness(tracing=Tracing("city_portal")) as kit:
        event = envelope(submission(), traceparent=traceparent)
        await kit.broker.publish(event.to_bytes(), "dossier.submitted")
    [follow_up] = kit.published
    assert orjson.loads(follow_up.value)["traceparent"] == traceparent


def _app_recording_inputs(tracing: Tracing, made: list[bytes]) -> FastAPI:
    app = FastAPI()
    factory = EventFactory("city_portal")

    @app.post("/dossiers")
    async def post() -> dict[str, Any]:
        payload = submission()
        event = Outgoing("dossier.submitted", payload, payload.received_simtime, payload.dossier_id)
        made.append(factory.record_input(event, event_id="e-1").value)
        return {}

    app.add_middleware(HttpTracing, tracing=tracing)
    return app


async def test_a_traced_request_gets_a_server_span_its_input_events_carry(
    tracing: Tracing, tmp_path: Path
) -> None:
    made: list[bytes] = []
    transport = httpx.ASGITransport(app=_app_recording_inputs(tracing, made))
    _, traceparent = _traced_submission()
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        answer = await client.post("/dossiers", headers={"traceparent": traceparent})
        await client.post("/dossiers")  # untraced
    assert answer.status_code == 200
    tracing.shutdown()
    [span] = read_spans(tmp_path / "traces")
    assert span["kind"] == "server" and span["parent_id"] == f"{APPLICANT_SPAN:016x}"
    assert span["attributes"]["http.response.status_code"] == 200
    traced, untraced = (orjson.loads(value) for value in made)
    assert traced["traceparent"] == format_traceparent(
        int(span["trace_id"], 16), int(span["span_id"], 16)
    )
    assert "traceparent" not in untraced
