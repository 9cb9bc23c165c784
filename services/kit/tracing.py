"""One OpenTelemetry trace per dossier: the kit's spans and the `traceparent` they pass on.

A dossier's trace starts at its applicant's HTTP request (the simulator's client span,
which sends a W3C `traceparent` header). The service answering the request makes a
server span (`http_tracing.py`); the events it publishes carry that span's `traceparent`
as a CloudEvents extension attribute, covered by the signature (envelope version 4).
Each service that consumes a traced event makes one span for its handler (a child of
the producer's span) and the handler's follow-ups carry the handler span's own
`traceparent`, so the trace follows the dossier across Kafka, portal to portal.

An event without `traceparent` is not traced: nothing is recorded and its follow-ups
carry none (the simulator decides which dossiers are traced, deterministically by
dossier id). A service that records no spans passes an event's `traceparent` on as it
got it, so the trace stays whole.

A handler span's id is derived from the service and the event id, so a redelivered
event yields byte-identical follow-ups, as the kit promises (`emitter.py`). A trace id
is derived from the dossier id (`trace_id_of`): the trace of a dossier is found, and its
sampling decided, from its id alone.

Spans go to a file in the run's folder, one JSON object a line (`tracing_export.py`),
or over OTLP when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, NamedTuple

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags

from contracts.envelope import CloudEvent

__all__ = [
    "ChosenIds",
    "HandlerSpan",
    "TraceParent",
    "Tracing",
    "annotate_request",
    "current_traceparent",
    "format_traceparent",
    "parse_traceparent",
    "request_context",
    "sampled",
    "span_id_of",
    "trace_id_of",
]

_MASK_64 = (1 << 64) - 1
#: The traceparent the events entering by the current HTTP request carry (its server span).
_REQUEST_TRACEPARENT: ContextVar[str | None] = ContextVar("portalsim_traceparent", default=None)
_REQUEST_SPAN: ContextVar[trace.Span | None] = ContextVar("portalsim_request_span", default=None)


class TraceParent(NamedTuple):
    """A W3C `traceparent`: the trace, the parent span, whether the trace is sampled."""

    trace_id: int
    span_id: int
    sampled: bool

    def context(self) -> Any:
        """An OpenTelemetry context whose current span is this (remote) parent."""
        flags = TraceFlags(TraceFlags.SAMPLED if self.sampled else TraceFlags.DEFAULT)
        parent = SpanContext(self.trace_id, self.span_id, is_remote=True, trace_flags=flags)
        return trace.set_span_in_context(NonRecordingSpan(parent))


def parse_traceparent(text: str | None) -> TraceParent | None:
    """The parts of a `traceparent` (version 00), or None when absent or malformed."""
    if not text or len(text) != 55 or text[:3] != "00-" or text[35] != "-" or text[52] != "-":
        return None
    try:
        trace_id, span_id, flags = int(text[3:35], 16), int(text[36:52], 16), int(text[53:], 16)
    except ValueError:
        return None
    if trace_id == 0 or span_id == 0 or text != text.lower():
        return None
    return TraceParent(trace_id, span_id, bool(flags & 1))


def format_traceparent(trace_id: int, span_id: int, sampled: bool = True) -> str:
    """`00-<trace id>-<span id>-<flags>` in lower-case hex."""
    return f"00-{trace_id:032x}-{span_id:016x}-{'01' if sampled else '00'}"


def trace_id_of(dossier_id: str) -> int:
    """The trace id of a dossier: 128 bits of SHA-256 of its id (never 0)."""
    return int.from_bytes(hashlib.sha256(b"trace/" + dossier_id.encode()).digest()[:16]) or 1


def span_id_of(name: str) -> int:
    """A span id derived from a name (a handler span's: `<service>/<event id>`)."""
    return int.from_bytes(hashlib.sha256(b"span/" + name.encode()).digest()[:8]) or 1


def sampled(dossier_id: str, ratio: float) -> bool:
    """Whether a dossier is traced at this ratio: OpenTelemetry's `TraceIdRatioBased`
    rule (the trace id's low 64 bits under `ratio * 2**64`) on `trace_id_of(dossier_id)`."""
    if ratio >= 1.0:
        return True
    return (trace_id_of(dossier_id) & _MASK_64) < round(ratio * (1 << 64))


def current_traceparent() -> str | None:
    """The `traceparent` of the HTTP request being answered (None outside a traced one)."""
    return _REQUEST_TRACEPARENT.get()


@contextmanager
def request_context(traceparent: str, span: trace.Span | None) -> Iterator[None]:
    """While an HTTP request is answered: the `traceparent` its input events carry."""
    token, span_token = _REQUEST_TRACEPARENT.set(traceparent), _REQUEST_SPAN.set(span)
    try:
        yield
    finally:
        _REQUEST_SPAN.reset(span_token)
        _REQUEST_TRACEPARENT.reset(token)


def annotate_request(dossier_id: str | None, procedure_code: str | None) -> None:
    """Name the dossier (and procedure) on the current request's server span, if any."""
    span = _REQUEST_SPAN.get()
    if span is not None:
        if dossier_id:
            span.set_attribute("portalsim.dossier_id", dossier_id)
        if procedure_code:
            span.set_attribute("portalsim.procedure_code", procedure_code)


class ChosenIds(IdGenerator):
    """Random ids, except the next one a caller chose (per thread)."""

    def __init__(self) -> None:
        self._random = RandomIdGenerator()
        self._chosen = threading.local()

    def choose(self, trace_id: int | None = None, span_id: int | None = None) -> None:
        self._chosen.trace_id, self._chosen.span_id = trace_id, span_id

    def generate_span_id(self) -> int:
        chosen = getattr(self._chosen, "span_id", None)
        self._chosen.span_id = None
        return chosen or self._random.generate_span_id()

    def generate_trace_id(self) -> int:
        chosen = getattr(self._chosen, "trace_id", None)
        self._chosen.trace_id = None
        return chosen or self._random.generate_trace_id()


class HandlerSpan:
    """A handler's span (or none): the `traceparent` its follow-ups carry, and its end."""

    __slots__ = ("span", "traceparent")

    def __init__(self, span: trace.Span | None, traceparent: str | None) -> None:
        self.span = span
        self.traceparent = traceparent

    def end(self, outcome: str) -> None:
        """End the span, saying how the handler ended when not `handled` (`deadlettered`,
        `failed`)."""
        if self.span is not None:
            if outcome != "handled":
                self.span.set_attribute("portalsim.outcome", outcome)
            self.span.end()


_UNTRACED = HandlerSpan(None, None)


class Tracing:
    """A process's tracer: its spans, exported by `provider` (None: nothing is recorded)."""

    def __init__(
        self, name: str, provider: TracerProvider | None = None, ids: ChosenIds | None = None
    ) -> None:
        """`provider` must make its ids with `ids` (`TracerProvider(id_generator=ids)`)."""
        self.name = name
        self.provider = provider
        self._ids = ids or ChosenIds()
        self._tracer = provider.get_tracer("portalsim") if provider is not None else None

    @property
    def enabled(self) -> bool:
        """Whether this process records spans."""
        return self._tracer is not None

    def start(
        self,
        name: str,
        parent: TraceParent | None,
        *,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: dict[str, Any] | None = None,
        trace_id: int | None = None,
        span_id: int | None = None,
    ) -> trace.Span | None:
        """Start a span under `parent` (a root with `trace_id` when None); None if disabled."""
        if self._tracer is None:
            return None
        self._ids.choose(trace_id, span_id)
        context = parent.context() if parent is not None else None
        return self._tracer.start_span(name, context, kind=kind, attributes=attributes)

    def handling(self, service: str, topic_name: str, event: CloudEvent[Any]) -> HandlerSpan:
        """The span of a handler of a consumed event (none when the event is not traced)."""
        if event.traceparent is None:
            return _UNTRACED
        parent = parse_traceparent(event.traceparent)
        if self._tracer is None or parent is None or not parent.sampled:
            return HandlerSpan(None, event.traceparent)  # passed on as it came
        span = self.start(
            f"{service} handles {topic_name}",
            parent,
            kind=SpanKind.CONSUMER,
            attributes=_event_attributes(topic_name, event),
            span_id=span_id_of(f"{service}/{event.id}"),
        )
        assert span is not None
        context = span.get_span_context()
        return HandlerSpan(span, format_traceparent(context.trace_id, context.span_id))

    def shutdown(self) -> None:
        """Export what is still queued and stop (at the process's end)."""
        if self.provider is not None:
            self.provider.shutdown()


def _event_attributes(topic_name: str, event: CloudEvent[Any]) -> dict[str, Any]:
    """A handler span's attributes: few, each costs the SDK a check (the portal is the
    process's resource attribute, `tracing_export.py`)."""
    data = event.data
    attributes: dict[str, Any] = {
        "portalsim.dossier_id": getattr(data, "dossier_id", None) or event.correlationid,
        "messaging.destination.name": topic_name,
        "portalsim.produced_at_ns": _nanoseconds(event.time),
    }
    procedure = getattr(data, "procedure_code", None)
    if procedure:
        attributes["portalsim.procedure_code"] = str(procedure)
    settled_by = getattr(data, "settled_by", None)
    if settled_by:
        attributes["portalsim.settled_by"] = str(getattr(settled_by, "value", settled_by))
    return attributes


def _nanoseconds(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000
