"""The report on the services' deaths and restarts: summary.json `supervision`, its section.

For each death: which service, how it ended, when it was noticed, when it answered
again, and the dossiers it may have held up: those on the bus (`dossier.submitted`) and
not settled when it died; those on the bus before it was back that settled only after
(they waited for it, or at least through its absence); and those never settled whose
last status was by that service.
"""

from __future__ import annotations

from typing import Any

from simulator.drive.observations import Observations
from simulator.report.labels import table
from simulator.system.restarts import Death, Supervision

__all__ = ["deaths_section", "supervision_block"]

EXAMPLES = 5


def _held_up(observations: Observations, death: Death) -> dict[str, Any]:
    back_ms = death.up_at_ms
    open_then, waited, stuck = 0, [], 0
    for dossier_id, code in observations.accepted.items():
        submission = observations.submissions.get(dossier_id)
        if submission is None:  # never on the bus: returned at the desk before digitisation
            continue
        settlement = observations.root_settlement(dossier_id)
        seen, done = submission.wall_ms, settlement.wall_ms if settlement else None
        if seen < death.at_ms and (done is None or done >= death.at_ms):
            open_then += 1
        if back_ms is not None and seen < back_ms and done is not None and done >= back_ms:
            waited.append(code)
        if done is None and observations.last_status.get(dossier_id, ("", ""))[1] == death.service:
            stuck += 1
    return {
        "open_when_it_died": open_then,
        "settled_after_it_was_back": len(waited),
        "never_settled_last_status_by_it": stuck,
        "examples": waited[:EXAMPLES],
    }


def supervision_block(
    observations: Observations, supervision: Supervision | None
) -> dict[str, Any] | None:
    """summary.json `supervision` (None when the run started no services)."""
    if supervision is None:
        return None
    gave_up = supervision.gave_up
    return {
        "policy": supervision.policy.as_json(),
        "deaths": [
            {**death.as_json(), "held_up": _held_up(observations, death)}
            for death in supervision.deaths
        ],
        "restarts": supervision.restarts,
        "gave_up": None
        if gave_up is None
        else {
            "service": gave_up.service,
            "process": gave_up.process or gave_up.service,
            "exit": gave_up.exit,
            "at_wall_s": round(gave_up.at_wall_s, 2),
            "reason": supervision.gave_up_reason,
        },
    }


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def deaths_section(summary: dict[str, Any]) -> list[str]:
    """The report's section (nothing when no services were supervised)."""
    block = summary.get("supervision")
    if block is None:
        return []
    lines = ["## Service deaths and restarts", ""]
    policy = block["policy"]
    said = (
        "none (`--restart no`)"
        if policy["restart"] == "no"
        else f"on-failure, after {policy['first_delay_s']:g} s doubling to "
        f"{policy['max_delay_s']:g} s, at most {policy['max_restarts']} in "
        f"{policy['window_s']:g} s"
    )
    if not block["deaths"]:
        return [*lines, f"No service died during the run. Restarts: {said}.", ""]
    rows = [
        [
            d["process"],
            d["exit"],
            d["pid"],
            _seconds(d["at_wall_s"]),
            _seconds(d["up_at_wall_s"]),
            _seconds(d["down_s"]),
            d["held_up"]["open_when_it_died"],
            d["held_up"]["settled_after_it_was_back"],
            d["held_up"]["never_settled_last_status_by_it"],
        ]
        for d in block["deaths"]
    ]
    header = [
        "service",
        "exit",
        "pid",
        "died at",
        "back at",
        "down",
        "open then",
        "settled after its return",
        "never settled, last status by it",
    ]
    lines += [f"Restarts: {said}; {block['restarts']} made.", "", *table(header, rows), ""]
    lines += [
        "Times are wall seconds into the run (a death is noticed within 0.25 s). *Open "
        "then*: dossiers on the bus and not settled when it died. *Settled after its "
        "return*: dossiers on the bus before it was back that settled only after.",
        "",
    ]
    if block["gave_up"]:
        lost = block["gave_up"]
        lines += [
            f"**{lost['process']} was not restarted** ({lost['reason']}): it died "
            f"({lost['exit']}) {lost['at_wall_s']:.1f} s into the run, and the run ended there.",
            "",
        ]
    return lines
