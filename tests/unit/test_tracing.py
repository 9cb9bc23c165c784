"""Tracing: the `traceparent` extension (envelope v4) under the signature, trace ids, the
span files, a dossier's tree and where its time goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from contracts.envelope import ENVELOPE_VERSION, EnvelopeError, parse_event
from contracts.events import DossierSubmitted
from contracts.signing import SignatureError, Signer, TrustStore
from services.kit.emitter import EventFactory
from services.kit.tracing import (
    format_traceparent,
    parse_traceparent,
    sampled,
    span_id_of,
    trace_id_of,
)
from services.kit.tracing_export import tracing_for
from simulator.traces.folder import read_spans, reset_folder
from simulator.traces.time_spent import hops_of, where_time_goes
from simulator.traces.tree import find_trace, render_trace
from tests.factories import envelope, submission

TRACEPARENT = format_traceparent(trace_id_of("d-1"), span_id_of("city_portal/e-1"))


def _signed(signer: Signer, **overrides: Any) -> dict[str, Any]:
    return signer.sign(orjson.loads(envelope(submission(), **overrides).to_bytes()))


def test_the_envelope_version_is_4_with_the_traceparent_extension() -> None:
    assert ENVELOPE_VERSION == 4
    event = envelope(submission(), traceparent=TRACEPARENT)
    assert orjson.loads(event.to_bytes())["traceparent"] == TRACEPARENT


def test_an_untraced_envelope_has_no_traceparent_attribute_on_the_wire() -> None:
    assert b"traceparent" not in envelope(submission()).to_bytes()


def test_the_signature_covers_the_traceparent(
    signers: dict[str, Signer], trust: TrustStore
) -> None:
    signed = _signed(signers["simulator"], traceparent=TRACEPARENT)
    trust.verify("dossier.submitted", signed)
    other = format_traceparent(trace_id_of("d-2"), span_id_of("x"))
    with pytest.raises(SignatureError, match="bad signature"):
        trust.verify("dossier.submitted", {**signed, "traceparent": other})


def test_a_traceparent_added_in_transit_fails_the_signature(
    signers: dict[str, Signer], trust: TrustStore
) -> None:
    signed = _signed(signers["simulator"])
    with pytest.raises(SignatureError, match="bad signature"):
        trust.verify("dossier.submitted", {**signed, "traceparent": TRACEPARENT})


def test_an_envelope_of_version_3_without_traceparent_still_verifies_and_parses(
    signers: dict[str, Signer], trust: TrustStore
) -> None:
    signed = _signed(signers["simulator"])  # as a version 3 producer signed it
    assert "traceparent" not in signed
    trust.verify("dossier.submitted", signed)
    event = parse_event(orjson.dumps(signed), DossierSubmitted)
    assert event.traceparent is None


def test_a_malformed_traceparent_is_refused_naming_the_attribute() -> None:
    value = orjson.loads(envelope(submission()).to_bytes())
    value["traceparent"] = "00-not-a-trace"
    with pytest.raises(EnvelopeError) as refused:
        parse_event(orjson.dumps(value), DossierSubmitted)
    assert refused.value.field == "traceparent"


def test_the_kit_writes_a_traced_envelope_byte_for_byte_as_the_model_does() -> None:
    payload = submission()
    record = EventFactory("city_portal").record(
        "dossier.submitted",
        payload,
        event_id="e-1",
        correlation_id=payload.dossier_id,
        simtime=payload.received_simtime,
        traceparent=TRACEPARENT,
    )
    parsed = parse_event(record.value, DossierSubmitted)
    assert parsed.traceparent == TRACEPARENT
    assert parsed.to_bytes() == record.value


def test_a_traceparent_reads_back_as_written() -> None:
    parent = parse_traceparent(TRACEPARENT)
    assert parent is not None and parent.sampled
    assert format_traceparent(parent.trace_id, parent.span_id) == TRACEPARENT
    assert parse_traceparent("00-" + "0" * 32 + "-" + "1" * 16 + "-01") is None


def test_sampling_is_decided_by_dossier_id_alone() -> None:
    ids = [f"dossier-{n}" for n in range(4000)]
    chosen = [d for d in ids if sampled(d, 0.25)]
    assert chosen == [d for d in ids if sampled(d, 0.25)]
    assert 800 < len(chosen) < 1200
    assert all(sampled(d, 1.0) for d in ids[:10])


def _span(
    name: str, span_id: str, parent: str | None, start: int, end: int, **attributes: Any
) -> dict[str, Any]:
    kind = "consumer" if "messaging.destination.name" in attributes else "server"
    return {
        "trace_id": "t1",
        "span_id": span_id,
        "parent_id": parent,
        "name": name,
        "kind": "client" if parent is None else kind,
        "service": attributes.get("portalsim.portal"),
        "start_ns": start,
        "end_ns": end,
        "attributes": attributes,
    }


def _one_trace() -> list[dict[str, Any]]:
    return [
        _span("applicant", "a", None, 0, 900, **{"portalsim.portal": "city_portal"}),
        _span("server", "b", "a", 10, 850, **{"portalsim.portal": "city_portal"}),
        _span(
            "population_db handles identity.check.requested",
            "c",
            "b",
            100,
            120,
            **{
                "portalsim.portal": "population_db",
                "messaging.destination.name": "identity.check.requested",
                "portalsim.produced_at_ns": 40,
            },
        ),
        _span(
            "city_portal handles identity.check.completed",
            "d",
            "c",
            300,
            310,
            **{
                "portalsim.portal": "city_portal",
                "messaging.destination.name": "identity.check.completed",
                "portalsim.produced_at_ns": 115,
            },
        ),
    ]


def test_the_hops_of_a_trace_add_up_to_its_wall_latency_until_its_last_handler() -> None:
    hops = hops_of(_one_trace())
    assert sum(ns for _, _, ns in hops) == 310
    assert [hop for hop, _, _ in hops] == [
        "HTTP request to city_portal",
        "HTTP city_portal handles the request",
        "queue identity.check.requested",
        "identity check (population_db)",
        "queue identity.check.completed",
        "handler city_portal <- identity.check.completed",
    ]
    assert [ns for _, _, ns in hops] == [10, 30, 60, 15, 185, 10]


def test_a_dossier_held_for_its_account_counts_the_wait_as_held_by_the_portal() -> None:
    # answered (held) at 30; its dossier.submitted produced at 200, when the account's
    # identity check was answered, in the request's trace
    held = [
        _span("applicant", "a", None, 0, 40, **{"portalsim.portal": "city_portal"}),
        _span("server", "b", "a", 10, 30, **{"portalsim.portal": "city_portal"}),
        _span(
            "city_portal handles dossier.submitted",
            "c",
            "b",
            210,
            220,
            **{
                "portalsim.portal": "city_portal",
                "messaging.destination.name": "dossier.submitted",
                "portalsim.produced_at_ns": 200,
            },
        ),
    ]
    hops = hops_of(held)
    assert [(hop, ns) for hop, _, ns in hops] == [
        ("HTTP request to city_portal", 10),
        ("HTTP city_portal handles the request", 20),
        ("held by city_portal", 170),
        ("queue dossier.submitted", 10),
        ("handler city_portal <- dossier.submitted", 10),
    ]


def test_the_shares_of_where_the_time_goes_sum_to_100_percent() -> None:
    spent = where_time_goes(_one_trace())
    assert spent is not None and spent["traces"] == 1
    assert sum(row["share"] for row in spent["hops"]) == pytest.approx(1.0, abs=0.001)
    assert sum(row["share"] for row in spent["portals"]) == pytest.approx(1.0, abs=0.001)


def test_a_process_writes_its_spans_to_its_file_and_the_reader_merges_them(
    tmp_path: Path,
) -> None:
    reset_folder(tmp_path, 1.0)
    for name in ("city_portal", "population_db"):
        tracing = tracing_for(name, tmp_path)
        span = tracing.start(f"{name} work", parse_traceparent(TRACEPARENT))
        assert span is not None
        span.end()
        tracing.shutdown()
    spans = read_spans(tmp_path)
    assert sorted(s["service"] for s in spans) == ["city_portal", "population_db"]
    assert {s["trace_id"] for s in spans} == {f"{trace_id_of('d-1'):032x}"}


def test_the_trace_of_a_dossier_not_sampled_says_so(tmp_path: Path) -> None:
    reset_folder(tmp_path, 0.01)
    unsampled = next(f"d-{n}" for n in range(1000) if not sampled(f"d-{n}", 0.01))
    [line] = render_trace(find_trace(tmp_path, unsampled))
    assert "was not sampled" in line and "0.01" in line


def test_spans_go_over_otlp_when_the_standard_endpoint_variable_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from threading import Thread

    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    received: list[tuple[str, bytes]] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append((self.path, self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Collector)
    Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    try:
        tracing = tracing_for("population_db", None)
        span = tracing.start("population_db work", parse_traceparent(TRACEPARENT))
        assert span is not None
        span.end()
        tracing.shutdown()
    finally:
        server.shutdown()
    [(path, body)] = received
    assert path == "/v1/traces"
    request = ExportTraceServiceRequest.FromString(body)
    [spans] = request.resource_spans
    assert [s.name for s in spans.scope_spans[0].spans] == ["population_db work"]
