"""A run's figures of the moment, from what the collector observed: the live page's data.

`LiveTally.snapshot()` is called once a second on the run's event loop (where the
collector fills the observations). It works incrementally: a dossier is looked at while it
is open, and counted once when it settles, so a tick costs in proportion to the dossiers
in flight, not to the whole run. The figures use the report's definitions: a dossier is
a root the simulator got a 202 for, settled by the portal of its first settlement
(`simulator.report`), so the last snapshot equals the run's summary.
"""

from __future__ import annotations

import heapq
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from simulator.drive.observations import Observations
from simulator.scenarios.scenario import Fault

__all__ = ["SERIES_SECONDS", "SLOWEST", "LiveTally"]

#: Seconds of per-second figures the page keeps for its chart.
SERIES_SECONDS = 900
#: How many of the slowest open dossiers the page lists.
SLOWEST = 8
#: The stage of an accepted dossier with no status event seen yet.
JUST_SUBMITTED = "submitted"


@dataclass
class LiveTally:
    """Counts a run's dossiers as they settle; one snapshot per tick."""

    observations: Observations
    faults: list[Fault] = field(default_factory=list)
    label: str = ""
    started: float = field(default_factory=time.monotonic)
    settled_by: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    open: dict[str, float] = field(default_factory=dict)  # dossier id -> seen accepted (s)
    series: list[tuple[float, float, float]] = field(default_factory=list)
    _accepted_seen: int = 0
    _queue_seen: int = 0
    _queues: dict[str, int] = field(default_factory=dict)
    _last: tuple[float, int, int] | None = None

    def _take_new(self, now: float) -> None:
        accepted = self.observations.accepted
        fresh = list(islice(accepted, self._accepted_seen, None))
        self._accepted_seen += len(fresh)
        for dossier_id in fresh:
            self.open.setdefault(dossier_id, now)
        queue = self.observations.desk_queue
        for unit, _, length in queue[self._queue_seen :]:
            self._queues[unit] = length
        self._queue_seen = len(queue)

    def _settle(self) -> None:
        settlements = self.observations.settlements
        for dossier_id in [d for d in self.open if d in settlements]:
            settlement = self.observations.root_settlement(dossier_id)
            if settlement is None:
                continue
            del self.open[dossier_id]
            self.settled_by[settlement.settled_by] += 1
            self.outcomes[settlement.outcome] += 1

    def _stages(self) -> Counter[str]:
        last = self.observations.last_status
        return Counter(last[d][0] if d in last else JUST_SUBMITTED for d in self.open)

    def _slowest(self, now: float) -> list[dict[str, Any]]:
        seen = self.observations
        wall_now = time.time()

        def age(dossier_id: str) -> float:  # since its submission reached the bus, else seen
            submission = seen.submissions.get(dossier_id)
            if submission is not None:
                return wall_now - submission.wall_ms / 1000
            return now - self.open[dossier_id]

        rows = []
        for dossier_id in heapq.nlargest(SLOWEST, self.open, key=age):
            submission = seen.submissions.get(dossier_id)
            status, by = seen.last_status.get(dossier_id, (JUST_SUBMITTED, "simulator"))
            rows.append(
                {
                    "dossier_code": seen.accepted.get(dossier_id, dossier_id),
                    "procedure_code": submission.procedure_code if submission else None,
                    "age_s": round(max(age(dossier_id), 0.0), 1),
                    "status": status,
                    "at": by,
                }
            )
        return rows

    def _fault_windows(self, elapsed: float) -> list[dict[str, Any]]:
        done: list[dict[str, Any]] = [
            {"service": f.service, "start_s": f.start_s, "end_s": f.end_s, "state": "over"}
            for f in self.observations.faults
        ]
        planned = [
            {
                "service": f.service,
                "start_s": f.stop_at_s,
                "end_s": f.restart_at_s,
                "state": "on" if f.stop_at_s <= elapsed < f.restart_at_s else "planned",
            }
            for f in self.faults
            if not any(w["service"] == f.service and w["start_s"] >= f.stop_at_s for w in done)
        ]
        return done + planned

    def snapshot(self, services: dict[str, dict[str, float]] | None = None) -> dict[str, Any]:
        """The figures now; `services`: what each service's metrics say (lag, outbox...)."""
        now = time.monotonic()
        elapsed = now - self.started
        self._take_new(elapsed)
        self._settle()
        submitted = self._accepted_seen
        settled = sum(self.outcomes.values())
        if self._last is not None and elapsed > self._last[0]:
            span = elapsed - self._last[0]
            rates = ((submitted - self._last[1]) / span, (settled - self._last[2]) / span)
            self.series.append((round(elapsed, 1), round(rates[0], 2), round(rates[1], 2)))
            del self.series[:-SERIES_SECONDS]
        self._last = (elapsed, submitted, settled)
        seen = self.observations
        deadletters: Counter[str] = Counter()
        for (topic, _), count in list(seen.deadletters.items()):
            deadletters[topic] += count
        return {
            "run": self.label,
            "elapsed_s": round(elapsed, 1),
            "submitted": submitted,
            "refused": sum(seen.refused.values()),
            "settled": settled,
            "approved": self.outcomes["approved"],
            "rejected": self.outcomes["rejected"],
            "in_flight": len(self.open),
            "settled_per_portal": dict(sorted(self.settled_by.items())),
            "in_flight_by_stage": dict(sorted(self._stages().items())),
            "desk_backlog": sum(self._queues.values()),
            "deadletters": sum(deadletters.values()),
            "deadletters_by_topic": dict(sorted(deadletters.items())),
            "events": sum(seen.events_per_topic.values()),
            "services": services or {},
            "slowest_open": self._slowest(elapsed),
            "faults": self._fault_windows(elapsed),
            "series": [list(point) for point in self.series],
        }
