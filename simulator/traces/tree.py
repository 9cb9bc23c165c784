"""One dossier's trace: its spans found in a run's folder, and the tree they form.

A dossier's trace id is derived from its id (`services.kit.tracing.trace_id_of`), so its
spans are found by id; a linked group's step (whose spans are in its parent's trace) by
the `portalsim.dossier_id` its spans carry. A consumer span's queue wait is the time
from its event's production (the envelope's `time`) to the handler's start.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.kit.tracing import sampled, trace_id_of
from simulator.traces.folder import read_sampling, read_spans

__all__ = ["DossierTrace", "SpanNode", "find_trace", "queue_wait_ns", "render_trace"]


def queue_wait_ns(span: dict[str, Any]) -> int | None:
    """How long a consumer span's event waited from production to its handler."""
    produced = span["attributes"].get("portalsim.produced_at_ns")
    return None if produced is None else max(0, span["start_ns"] - int(produced))


@dataclass
class SpanNode:
    """A span and its children, by start time."""

    span: dict[str, Any]
    children: list[SpanNode] = field(default_factory=list)

    def walk(self, depth: int = 0) -> Iterator[tuple[int, SpanNode]]:
        """This node and every node below it, depth first, with its depth."""
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)


@dataclass
class DossierTrace:
    """What the run's folder holds of a dossier's trace: its spans, or why there are none."""

    dossier_id: str
    spans: list[dict[str, Any]]
    ratio: float | None
    sampled: bool

    @property
    def roots(self) -> list[SpanNode]:
        """The trees of the spans (one, unless a process lost the parent of some)."""
        nodes = {span["span_id"]: SpanNode(span) for span in self.spans}
        roots: list[SpanNode] = []
        for node in nodes.values():
            parent = nodes.get(node.span["parent_id"] or "")
            (parent.children if parent is not None else roots).append(node)
        return roots


def find_trace(folder: Path, dossier_id: str) -> DossierTrace:
    """The dossier's spans in the run's trace folder (by its trace id, else by attribute)."""
    ratio = read_sampling(folder)
    spans = read_spans(folder) if folder.is_dir() else []
    trace_id = f"{trace_id_of(dossier_id):032x}"
    mine = [s for s in spans if s["trace_id"] == trace_id]
    if not mine:  # a linked step: its spans are in the parent's trace
        traces = {
            s["trace_id"]
            for s in spans
            if s["attributes"].get("portalsim.dossier_id") == dossier_id
        }
        mine = [s for s in spans if s["trace_id"] in traces]
    return DossierTrace(dossier_id, mine, ratio, ratio is None or sampled(dossier_id, ratio))


def _ms(ns: int) -> str:
    return f"{ns / 1e6:,.1f} ms"


def render_trace(trace: DossierTrace) -> list[str]:
    """The span tree as text: each span's service, duration, start and queue wait."""
    if not trace.spans:
        if not trace.sampled:
            return [
                f"dossier {trace.dossier_id} was not sampled: the run traced a share of "
                f"{trace.ratio:g} of the dossiers (--trace-sample), chosen by dossier id"
            ]
        return [f"no spans of dossier {trace.dossier_id} in this run's traces"]
    start = min(s["start_ns"] for s in trace.spans)
    end = max(s["end_ns"] for s in trace.spans)
    first = trace.spans[0]["attributes"]
    procedure = next(
        (
            s["attributes"]["portalsim.procedure_code"]
            for s in trace.spans
            if "portalsim.procedure_code" in s["attributes"]
        ),
        first.get("portalsim.procedure_code", "?"),
    )
    lines = [
        f"dossier {trace.dossier_id}  procedure {procedure}  trace {trace.spans[0]['trace_id']}",
        f"{len(trace.spans)} spans over {_ms(end - start)}",
        "",
    ]
    for root in trace.roots:
        for depth, node in root.walk():
            span = node.span
            wait = queue_wait_ns(span)
            waited = f"  (queued {_ms(wait)})" if wait is not None else ""
            outcome = span["attributes"].get("portalsim.outcome")
            ended = f"  [{outcome}]" if outcome and outcome != "handled" else ""
            lines.append(
                f"{'  ' * depth}{span['name']}  {_ms(span['end_ns'] - span['start_ns'])}"
                f"  at +{_ms(span['start_ns'] - start)}{waited}{ended}"
            )
    return lines
