"""Where the time goes: each traced dossier's wall latency split along its critical path.

A dossier's wall latency runs from its trace's first span (the applicant's request) to
the end of the last handler of its events (the settlement's last consumer): the
applicant's HTTP answer may come later (the portal answers once its outbox is confirmed),
but the dossier does not wait for it. The critical path is the chain of spans from the
root to that last handler, each the parent of the next. Along it every moment belongs to
one hop:

- `HTTP request to <portal>`: from the applicant's request (the simulator's client span)
  until the portal starts answering it (waits for a connection included), then
  `HTTP <portal> handles the request` until its event is produced;
- `queue <topic>`: from an event's production (the envelope's `time`) until the handler
  that consumes it starts: the outbox's commit and publish, Kafka, the consumer's batch;
- `handler <service> <- <topic>` (the population database's handler of identity checks is
  `identity check`): from the handler's start until the next event on the path is
  produced, or until it ends for the last;
- `held by <portal>`: from the end of a span until the next event on the path is produced,
  when that comes later: a dossier handed in while its account's identity check was
  pending is answered at once and held, and its `dossier.submitted` is produced (in the
  request's trace) when the account's check is answered.

So the hops of a dossier add up to its wall latency exactly, and their shares over all
traced dossiers to 100 %. Per portal: a handler's or HTTP hop's time goes to its portal,
a queue's to `Kafka (queues)`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import pairwise
from typing import Any

__all__ = ["critical_path", "hops_of", "where_time_goes"]

QUEUES = "Kafka (queues)"
IDENTITY_TOPIC = "identity.check.requested"


def critical_path(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chain of spans from the root to the handler that ends last (or the last span)."""
    by_id = {span["span_id"]: span for span in spans}
    handlers = [span for span in spans if span["kind"] == "consumer"] or spans
    chain = [max(handlers, key=lambda span: span["end_ns"])]
    while (parent := by_id.get(chain[-1]["parent_id"] or "")) is not None and len(chain) < 1000:
        chain.append(parent)
    chain.reverse()
    return chain


def _hop(span: dict[str, Any]) -> tuple[str, str]:
    """The hop a span's time is counted in, and its portal."""
    attributes = span["attributes"]
    portal = str(attributes.get("portalsim.portal") or span.get("service") or "?")
    topic = attributes.get("messaging.destination.name")
    if topic is None:
        if span["kind"] == "client":
            return f"HTTP request to {portal}", portal
        return f"HTTP {portal} handles the request", portal
    if topic == IDENTITY_TOPIC and portal == "population_db":
        return "identity check (population_db)", portal
    return f"handler {portal} <- {topic}", portal


def hops_of(spans: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(hop, portal, nanoseconds) along one trace's critical path; they sum to its wall."""
    chain = critical_path(spans)
    hops: list[tuple[str, str, int]] = []
    cursor = chain[0]["start_ns"]
    for parent, child in pairwise(chain):
        produced = child["attributes"].get("portalsim.produced_at_ns")
        boundary = child["start_ns"]
        if produced is not None:
            boundary = min(max(int(produced), cursor), child["start_ns"])
        hop, portal = _hop(parent)
        held_from = max(min(parent["end_ns"], boundary), cursor)
        hops.append((hop, portal, held_from - cursor))
        if boundary > held_from:
            hops.append((f"held by {portal}", portal, boundary - held_from))
        if produced is not None:
            topic = child["attributes"]["messaging.destination.name"]
            hops.append((f"queue {topic}", QUEUES, child["start_ns"] - boundary))
        cursor = child["start_ns"]
    last = chain[-1]
    hops.append((*_hop(last), max(last["end_ns"], cursor) - cursor))
    return hops


def where_time_goes(spans: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The shares of the traced dossiers' wall latency by hop and by portal (None: no trace)."""
    traces: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for span in spans:
        traces[span["trace_id"]].append(span)
    by_hop: dict[str, int] = defaultdict(int)
    by_portal: dict[str, int] = defaultdict(int)
    wall = 0
    for trace in traces.values():
        for hop, portal, ns in hops_of(trace):
            by_hop[hop] += ns
            by_portal[portal] += ns
            wall += ns
    if not traces or wall <= 0:
        return None
    count = len(traces)

    def table(totals: dict[str, int], key: str) -> list[dict[str, Any]]:
        return [
            {
                key: name,
                "seconds": round(ns / 1e9, 3),
                "share": round(ns / wall, 4),
                "mean_ms_per_dossier": round(ns / 1e6 / count, 2),
            }
            for name, ns in sorted(totals.items(), key=lambda item: -item[1])
        ]

    return {
        "traces": count,
        "wall_seconds": round(wall / 1e9, 3),
        "mean_wall_ms": round(wall / 1e6 / count, 1),
        "hops": table(by_hop, "hop"),
        "portals": table(by_portal, "portal"),
    }
