"""The scenario a log carries in its header: written when recording, read back to replay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from contracts.envelope import utc_now
from contracts.signing import TrustStore
from simulator.eventlog.format import LogHeader
from simulator.eventlog.reader import read_header
from simulator.scenarios.scenario import (
    Policies,
    Scenario,
    ScenarioError,
    Variant,
    load_scenario,
    resolve_scenario,
)

__all__ = [
    "header_for",
    "override_policies",
    "replay_scenario",
    "scenario_from_header",
    "with_policies",
]


def header_for(
    scenario: Scenario | None,
    topics: list[str],
    *,
    origin: str,
    variant: Variant | None = None,
    note: dict[str, Any] | None = None,
    trust: TrustStore | None = None,
) -> LogHeader:
    """A header for a recording of `scenario` (the variant's policies applied, if any).

    `trust`: the public keys of the recorded system, kept so the log can be verified.
    """
    dumped = None
    if scenario is not None:
        played = with_policies(scenario, scenario.policies_of(variant))
        dumped = played.model_dump(mode="json")
    details = dict(note or {})
    if variant is not None:
        details["variant"] = variant.name
    return LogHeader(
        scenario=dumped,
        seed=scenario.seed if scenario is not None else None,
        topics=topics,
        recorded_at=utc_now(),
        origin=origin,
        note=details,
        trust=dict(trust.keys) if trust is not None else None,
    )


def with_policies(scenario: Scenario, policies: Policies) -> Scenario:
    """The scenario under other policies, without variants (a log records one run)."""
    return scenario.model_copy(update={"policies": policies, "variants": []})


def scenario_from_header(header: LogHeader) -> Scenario | None:
    """The scenario recorded in the header, validated; None when the log has none."""
    if header.scenario is None:
        return None
    try:
        return Scenario.model_validate(header.scenario)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScenarioError(f"the log's scenario is invalid: {where}: {first['msg']}") from None


def override_policies(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """The scenario with some policies changed (validated like a scenario file's)."""
    merged = {**scenario.policies.model_dump(), **overrides}
    try:
        policies = Policies(**merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScenarioError(f"--policy {where}: {first['msg']}") from None
    return with_policies(scenario, policies)


def replay_scenario(
    log: Path, scenario_file: str | None, overrides: dict[str, Any]
) -> Scenario | None:
    """The scenario to replay a log under: `scenario_file`, else the log's own, with the
    policies overridden (`ScenarioError` for overrides without a scenario)."""
    scenario = (
        load_scenario(resolve_scenario(scenario_file))
        if scenario_file
        else scenario_from_header(read_header(log))
    )
    if overrides:
        if scenario is None:
            raise ScenarioError("--policy needs a scenario: the log has none (--scenario FILE)")
        scenario = override_policies(scenario, overrides)
    return scenario
