"""The simulator's own Prometheus metrics, read from the live tally's latest snapshot.

- `portalsim_sim_dossiers_submitted_total`: dossiers the services accepted (a 202);
- `portalsim_sim_dossiers_refused_total`: demand items that never became a dossier;
- `portalsim_sim_dossiers_settled_total{portal}`: accepted dossiers settled, by the portal
  of their first settlement;
- `portalsim_sim_dossiers_in_flight{stage}`: accepted and not settled, by last status seen;
- `portalsim_sim_deadletters_total{topic}`: dead letters seen on the bus;
- `portalsim_sim_desk_backlog`: paper dossiers waiting at the desks (latest of each desk).

Every sample carries the `run` label (the scenario, or `scenario/variant`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["SimulatorMetrics"]


class SimulatorMetrics(Collector):
    """A collector over `latest()`, the current snapshot (None before the first run)."""

    def __init__(self, latest: Callable[[], dict[str, Any] | None]) -> None:
        self.latest = latest
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self)

    def collect(self) -> Iterator[Metric]:
        snap = self.latest()
        if snap is None:
            return
        run = [str(snap.get("run", ""))]
        submitted = CounterMetricFamily(
            "portalsim_sim_dossiers_submitted", "Dossiers accepted (202).", labels=["run"]
        )
        submitted.add_metric(run, snap["submitted"])
        refused = CounterMetricFamily(
            "portalsim_sim_dossiers_refused", "Demand items never a dossier.", labels=["run"]
        )
        refused.add_metric(run, snap["refused"])
        settled = CounterMetricFamily(
            "portalsim_sim_dossiers_settled",
            "Accepted dossiers settled, by the portal of their first settlement.",
            labels=["run", "portal"],
        )
        for portal, count in snap["settled_per_portal"].items():
            settled.add_metric([*run, portal], count)
        in_flight = GaugeMetricFamily(
            "portalsim_sim_dossiers_in_flight",
            "Accepted dossiers not settled yet, by their last status.",
            labels=["run", "stage"],
        )
        for stage, count in snap["in_flight_by_stage"].items():
            in_flight.add_metric([*run, stage], count)
        dead = CounterMetricFamily(
            "portalsim_sim_deadletters", "Dead letters seen on the bus.", labels=["run", "topic"]
        )
        for topic, count in snap["deadletters_by_topic"].items():
            dead.add_metric([*run, topic], count)
        backlog = GaugeMetricFamily(
            "portalsim_sim_desk_backlog", "Paper dossiers waiting at the desks.", labels=["run"]
        )
        backlog.add_metric(run, snap["desk_backlog"])
        yield from (submitted, refused, settled, in_flight, dead, backlog)

    def exposition(self) -> bytes:
        """The metrics in the Prometheus text format."""
        return generate_latest(self.registry)
