"""The applicant's side of a dossier's trace: the client span of its submission.

Each submission the simulator hands in is the root of its dossier's trace: a client span
whose trace id is derived from the dossier's id (`trace_id_of`), sent as a W3C
`traceparent` header. Only dossiers sampled at the run's ratio are traced, decided by
their id alone (`sampled`), so `portalsim trace` can tell a dossier that was not sampled.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.trace import SpanKind

from contracts.dossier_ids import dossier_id_for
from contracts.events import Channel
from services.kit.tracing import (
    Tracing,
    format_traceparent,
    sampled,
    span_id_of,
    trace_id_of,
)

__all__ = ["DEFAULT_SAMPLE", "ClientTracing", "expected_dossier_id"]

#: The share of dossiers a run traces unless told (`--trace-sample`): tracing every dossier
#: costs the pipeline about a quarter of its throughput, one in ten a few percent
#: (docs/performance.md).
DEFAULT_SAMPLE = 0.1


def expected_dossier_id(channel: str, client_ref: str, account_id: str | None = None) -> str:
    """The id the service will give a submission (as `contracts.dossier_ids` derives it)."""
    if channel == "desk":
        return dossier_id_for(Channel.DESK, client_ref)
    return dossier_id_for(Channel.ONLINE, f"{account_id}:{client_ref}")


class ClientTracing:
    """Client spans of the submissions of the dossiers sampled at `ratio`."""

    def __init__(self, tracing: Tracing, ratio: float = 1.0) -> None:
        self.tracing = tracing
        self.ratio = ratio

    @contextmanager
    def submission(
        self, dossier_id: str, procedure_code: str, portal: str, path: str
    ) -> Iterator[dict[str, str]]:
        """Around a submission (its retries included): the headers that carry its trace."""
        if not sampled(dossier_id, self.ratio):
            yield {}
            return
        trace_id = trace_id_of(dossier_id)
        span = self.tracing.start(
            f"applicant POST {path}",
            None,
            kind=SpanKind.CLIENT,
            trace_id=trace_id,
            attributes={
                "portalsim.dossier_id": dossier_id,
                "portalsim.procedure_code": procedure_code,
                "portalsim.portal": portal,
                "http.request.method": "POST",
                "url.path": path,
            },
        )
        if span is None:  # not recorded here, still traced by the services
            yield {
                "traceparent": format_traceparent(trace_id, span_id_of(f"applicant/{dossier_id}"))
            }
            return
        context = span.get_span_context()
        try:
            yield {"traceparent": format_traceparent(context.trace_id, context.span_id)}
        finally:
            span.end()
