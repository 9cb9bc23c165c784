"""Where a process's spans go: over OTLP, or to a JSON-lines file in the run's folder.

`OTEL_EXPORTER_OTLP_ENDPOINT` set (the standard variable, with its companions such as
`OTEL_EXPORTER_OTLP_HEADERS`): the OpenTelemetry SDK's OTLP exporter (protobuf over
HTTP) sends them. Otherwise, with a trace folder (a service's `trace_dir` setting,
which the simulator sets to `<run>/traces`), each process appends its spans to
`<folder>/<name>.jsonl`, one span a line (`span_line`). Neither: nothing is recorded.

Either way a `BatchSpanProcessor` hands spans to the exporter from a thread of its own,
in batches, from a bounded queue: a span costs the handler only its creation, and when
the exporter cannot keep up spans are dropped, never waited for.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_ON

from services.kit.tracing import ChosenIds, Tracing

__all__ = ["OTLP_ENDPOINT", "JsonLinesSpanExporter", "span_line", "tracing_for"]

OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
PORTAL = "portalsim.portal"  # a resource attribute: every span of the process has it
QUEUE_SPANS = 32_768  # spans waiting for export at most; more are dropped
BATCH_SPANS = 1_024
EXPORT_EVERY_MS = 500


def span_line(span: ReadableSpan) -> dict[str, Any]:
    """One span as a line of the trace file."""
    context = span.get_span_context()
    assert context is not None
    parent = span.parent
    process = span.resource.attributes
    return {
        "trace_id": f"{context.trace_id:032x}",
        "span_id": f"{context.span_id:016x}",
        "parent_id": f"{parent.span_id:016x}" if parent is not None else None,
        "name": span.name,
        "kind": span.kind.name.lower(),
        "service": process.get("service.name"),
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "attributes": {PORTAL: process.get(PORTAL), **(span.attributes or {})},
    }


class JsonLinesSpanExporter(SpanExporter):
    """Appends spans to a file, one JSON object a line (`span_line`)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file: BinaryIO | None = path.open("ab")
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = b"".join(orjson.dumps(span_line(span)) + b"\n" for span in spans)
        with self._lock:
            if self._file is None:
                return SpanExportResult.FAILURE
            self._file.write(lines)
            self._file.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True


def tracing_for(name: str, folder: Path | None, file_name: str | None = None) -> Tracing:
    """The tracing of a process called `name`: over OTLP, to `<folder>/<file_name or
    name>.jsonl`, or none (see the module's text)."""
    exporter: SpanExporter
    if os.environ.get(OTLP_ENDPOINT):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    elif folder is not None:
        exporter = JsonLinesSpanExporter(Path(folder) / f"{file_name or name}.jsonl")
    else:
        return Tracing(name)
    ids = ChosenIds()
    resource = Resource.create({"service.name": name, PORTAL: name})
    # the kit starts spans only under sampled parents (or as a sampled root): no sampler work
    provider = TracerProvider(resource=resource, id_generator=ids, sampler=ALWAYS_ON)
    provider.add_span_processor(
        BatchSpanProcessor(
            exporter,
            max_queue_size=QUEUE_SPANS,
            schedule_delay_millis=EXPORT_EVERY_MS,
            max_export_batch_size=BATCH_SPANS,
        )
    )
    return Tracing(name, provider, ids)
