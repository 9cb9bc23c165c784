"""`build_summary`: the figures of one run as a JSON-ready dict (summary.json).

Pure: the same scenario and observations give the same dict, keys in a fixed order.
The meaning of each figure is written into the summary's ``definitions`` block.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from contracts.catalogue import load_catalogue
from simulator.drive.observations import Observations
from simulator.report.answer import DEFINITIONS, data_note, headline
from simulator.report.archive import archive_block
from simulator.report.campaign import campaign_block
from simulator.report.channels import arrivals_by_channel, calendar_block
from simulator.report.deaths import supervision_block
from simulator.report.dossiers import dossier_counts, root_views
from simulator.report.friction import friction_block
from simulator.report.procedures import (
    latency_per_path,
    procedure_table,
    rejections,
    settled_per_portal,
)
from simulator.report.records import records_block
from simulator.report.stats import counter_dict
from simulator.report.timeline import desk_backlog, throughput
from simulator.scenarios.checks import Finding
from simulator.scenarios.scenario import Policies, Scenario
from simulator.scenarios.volumes import expected_by_channel
from simulator.system.restarts import Supervision

__all__ = ["build_summary"]


def _policies(scenario: Scenario, variant: str | None) -> Policies:
    chosen = next((v for v in scenario.variants if v.name == variant), None)
    return scenario.policies_of(chosen)


def _scenario_block(scenario: Scenario, variant: str | None) -> dict[str, Any]:
    policies = _policies(scenario, variant).model_dump(mode="json")
    defaults = Policies().model_dump(mode="json")
    demand = scenario.demand
    by_channel = expected_by_channel(scenario).values()
    online, desk = sum(o for o, _ in by_channel), sum(d for _, d in by_channel)
    return {
        "name": scenario.name,
        "description": scenario.description,
        "variant": variant,
        "seed": scenario.seed,
        "start_date": scenario.start_date.isoformat(),
        "days": scenario.days,
        "population_size": scenario.population_size,
        "foreigner_share": scenario.foreigner_share,
        "demand": {
            "online_share": demand.online_share,
            "scale": demand.scale,
            "procedures": len(demand.procedures),
            "expected_dossiers": round(online + desk, 1),
            "expected_online": round(online, 1),
            "expected_desk": round(desk, 1),
        },
        "faults": [f.model_dump(mode="json") for f in scenario.faults],
        "population_db_delay_ms": scenario.population_db_delay_ms,
        "policies": policies,
        "policies_changed": {
            key: {"value": value, "default": defaults[key]}
            for key, value in policies.items()
            if value != defaults[key]
        },
    }


def _accounts(observations: Observations) -> dict[str, Any]:
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    refused: Counter[str] = Counter()
    for account in observations.accounts.values():
        kind, status = str(account.get("kind")), str(account.get("status"))
        by_kind[kind][status] += 1
        if status == "refused":
            refused[str(account.get("reason") or "unspecified")] += 1
    return {
        "total": len(observations.accounts),
        "by_kind": {kind: counter_dict(by_kind[kind]) for kind in sorted(by_kind)},
        "refused_by_reason": counter_dict(refused),
    }


def _deadletters(observations: Observations) -> dict[str, Any]:
    by_topic: Counter[str] = Counter()
    for (topic, _), count in observations.deadletters.items():
        by_topic[topic] += count
    rows = sorted(observations.deadletters.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "total": sum(observations.deadletters.values()),
        "by_topic": counter_dict(by_topic),
        "by_topic_reason": [
            {"topic": topic, "reason": reason, "count": count} for (topic, reason), count in rows
        ],
    }


def build_summary(
    scenario: Scenario,
    observations: Observations,
    *,
    wall_seconds: float,
    seed: int,
    variant: str | None = None,
    extra: dict[str, Any] | None = None,
    supervision: Supervision | None = None,
    warnings: Sequence[Finding] = (),
    read_back: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The figures of one run (see the ``definitions`` block of the result).

    `supervision`: the deaths and restarts of the services the run started; `warnings`:
    the scenario's settings that did nothing in this run (`simulator.scenarios.checks`);
    `read_back`: each service's policies and consumption as read back from it during and
    after the run (`simulator.run.operations`): what was in force, not what was asked.
    """
    catalogue = load_catalogue()
    roots = root_views(observations, catalogue)
    dossiers = dossier_counts(observations, roots)
    latency, samples = latency_per_path(roots, catalogue)
    procedures = procedure_table(roots, scenario, catalogue)
    backlog, backlog_plot = desk_backlog(observations)
    settled_ms = [v.settlement.wall_ms for v in roots if v.settlement is not None]
    rates, rates_plot = throughput(observations, settled_ms)
    policies = _policies(scenario, variant)
    campaign, campaign_plot = campaign_block(scenario, policies, roots)
    summary: dict[str, Any] = {
        "scenario": _scenario_block(scenario, variant),
        "run": {
            "seed": seed,
            "variant": variant,
            "wall_seconds": round(wall_seconds, 3),
            "wall_start_ms": observations.wall_start_ms,
            "wall_end_ms": observations.wall_end_ms,
            "extra": dict(extra or {}),
        },
        "answer": [],
        "warnings": [finding.as_json() for finding in warnings],
        "in_force": dict(read_back or {}),
        "supervision": supervision_block(observations, supervision),
        "conservation": dossiers["conservation"],
        "counts": dossiers["counts"],
        "settled_per_portal": settled_per_portal(roots),
        "latency_per_path": latency,
        "procedures": procedures,
        "calendar": calendar_block(scenario),
        "arrivals_by_channel": arrivals_by_channel(roots),
        "friction": friction_block(scenario, policies, observations),
        "id_card_campaign": campaign,
        "population_records": records_block(scenario, policies, roots, observations),
        "e_archive": archive_block(policies, roots, observations),
        "rejections": rejections(roots),
        "linked_steps": dossiers["linked_steps"],
        "refused": {
            "total": sum(observations.refused.values()),
            "by_reason": counter_dict(observations.refused),
        },
        "accounts": _accounts(observations),
        "deadletters": _deadletters(observations),
        "desk_backlog": backlog,
        "throughput": rates,
        "bus": {
            "events": sum(observations.events_per_topic.values()),
            "per_topic": counter_dict(observations.events_per_topic),
            "record_changes": counter_dict(observations.record_changes),
        },
        "unfinished_dossiers": dossiers["unfinished_dossiers"],
        "lost_dossiers": dossiers["lost_dossiers"],
        "duplicated_dossiers": dossiers["duplicated_dossiers"],
        "data_note": data_note(procedures),
        "definitions": dict(DEFINITIONS),
        "plot_data": {
            "latency_samples_ms": samples,
            "throughput": rates_plot,
            "desk_backlog": backlog_plot,
            "id_card_queue": campaign_plot,
        },
    }
    summary["answer"] = headline(summary)
    return summary
